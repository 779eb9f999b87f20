import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "@aleph/plugin-sdk";
import { webFetchConfigSchema, type WebFetchConfig } from "../src/config.js";
import type { HostResolver, ResolvedAddress } from "../src/fetch/vet-addresses.js";
import { webFetch } from "../src/web-fetch.js";
import { reply, startLocalServer, type LocalServer } from "./local-server.js";

/*
 * The SSRF guard's resolution step, with a scripted resolver standing in for DNS and real servers
 * on 127.0.0.1: the connection goes to the addresses that were checked (the names used here exist
 * in no DNS, so any second resolution by node:http would fail), one bad address refuses the host,
 * and TLS still names the host, not the address.
 */

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A resolver answering from a script, counting its calls; each answer is used in turn, the last one repeats. */
function scriptedResolver(...answers: (ResolvedAddress[] | Error)[]): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(resolve, { calls });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const config = (web: Partial<WebFetchConfig>): WebFetchConfig => webFetchConfigSchema.parse(web);
const run = (web: Partial<WebFetchConfig>, resolve: HostResolver, url: string) => webFetch({ config: () => config(web), log: quiet, resolve }, { url }, {});

describe("resolution pinned to the checked addresses", () => {
  let site: LocalServer;

  beforeAll(async () => {
    site = await startLocalServer({ "/plain": reply(200, { "content-type": "text/plain" }, "pinned ok") });
  });
  afterAll(() => site.close());

  it("connects to the address the name was checked with, resolving it once, and keeps the name in the Host header", async () => {
    // Were the name looked up again, the second answer (an unroutable private address) would be used.
    const resolver = scriptedResolver([v4("127.0.0.1")], [v4("10.255.255.1")]);
    const result = await run({ allow_private: [`127.0.0.1:${site.port}`] }, resolver, `http://pinned.test:${site.port}/plain`);
    expect(result).toMatchObject({ status: 200, text: "pinned ok", url: `http://pinned.test:${site.port}/plain` });
    expect(resolver.calls).toEqual(["pinned.test"]);
    expect(site.requests.at(-1)!.headers.host).toBe(`pinned.test:${site.port}`);
  });

  it("grants by host name: every address the name resolves to", async () => {
    const resolver = scriptedResolver([v4("127.0.0.1")]);
    expect(await run({ allow_private: ["*.test"] }, resolver, `http://wiki.intranet.test:${site.port}/plain`)).toMatchObject({ text: "pinned ok" });
  });

  it("refuses a name with one non-public address among public ones, naming that address", async () => {
    const resolver = scriptedResolver([v4("93.184.216.34"), v4("10.0.0.5")]);
    await expect(run({}, resolver, "http://mixed.test/")).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/mixed\.test resolves to 10\.0\.0\.5, a private address in 10\.0\.0\.0\/8/) });
  });

  it("refuses an IPv6 answer that carries a private IPv4 address", async () => {
    for (const address of ["::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1"]) {
      const resolver = scriptedResolver([{ address, family: 6 }]);
      await expect(run({}, resolver, "http://sneaky.test/"), address).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/an IPv6 form of /) });
    }
  });

  it("says when a name does not resolve", async () => {
    const resolver = scriptedResolver(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), { code: "ENOTFOUND" }));
    await expect(run({}, resolver, "http://nowhere.test/")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: "web_fetch cannot resolve the host nowhere.test (ENOTFOUND)" });
  });

  it("stops waiting for a resolver that never answers at the timeout", async () => {
    const hanging: HostResolver = () => new Promise(() => undefined);
    await expect(run({ timeout_seconds: 0.2 }, hanging, "http://slow-dns.test/")).rejects.toMatchObject({ code: "ALEPH_E_TIMEOUT" });
  });
});

describe("https to a pinned address", () => {
  let server: Server;
  let port: number;
  const hellos: Buffer[] = [];

  beforeAll(async () => {
    // Not a TLS server: it keeps the client's first bytes (the ClientHello, which carries the SNI name) and hangs up.
    server = createServer((socket) => socket.once("data", (data: Buffer) => (hellos.push(data), socket.destroy())));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the host name, not the address, as the TLS server name", async () => {
    const resolver = scriptedResolver([v4("127.0.0.1")]);
    await expect(run({ allow_private: [`127.0.0.1:${port}`] }, resolver, `https://secure.test:${port}/`)).rejects.toMatchObject({ code: "ALEPH_E_TOOL" });
    expect(hellos).toHaveLength(1);
    expect(hellos[0]!.includes(Buffer.from("secure.test"))).toBe(true);
  });
});
