import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toolsRef, type ToolsService } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";
import { redirect, reply, startLocalServer, type LocalServer } from "./local-server.js";

/*
 * web_fetch in a real kernel (the test kit), with the bundled tools plugin, against real HTTP
 * servers on 127.0.0.1: the page server is granted in [tools.web] allow_private, the other one is
 * not — it stands for every private address an agent must not reach.
 */
const webFetchDir = fileURLToPath(new URL("..", import.meta.url));
const toolsDir = dirname(fileURLToPath(import.meta.resolve("@aleph/plugin-tools/aleph_plugin.toml")));

const PAGE = `<!doctype html><html><head><title>Local &amp; Test Page</title></head>
<body><h1>Welcome</h1><p>The secret word is <b>PINEAPPLE-17</b>.</p><a href="/other">other page</a></body></html>`;

describe("the web-fetch plugin in a kernel", () => {
  let kernel: TestKernel;
  let tools: ToolsService;
  let site: LocalServer;
  let forbidden: LocalServer;
  let closedPort: number;
  const never: (() => void)[] = [];

  const fetch = (args: Record<string, unknown>, context = {}) => tools.call("web_fetch", args, context) as Promise<any>;
  /** Rewrites [tools.web]; the site's port is always granted unless `web` says otherwise. */
  const configure = async (web: Record<string, unknown> = {}) => {
    expect(await kernel.writeConfig({ tools: { web: { allow_private: [`127.0.0.1:${site.port}`], ...web } } })).toMatchObject({ applied: true });
    tools = kernel.service(toolsRef)!;
  };

  beforeAll(async () => {
    // A port nothing listens on: a server started and closed again.
    const closed = await startLocalServer({});
    closedPort = closed.port;
    await closed.close();
    forbidden = await startLocalServer({ "/": reply(200, { "content-type": "text/plain" }, "you should not see this") });
    site = await startLocalServer({
      "/page": reply(200, { "content-type": "text/html; charset=utf-8" }, PAGE),
      "/plain": reply(200, { "content-type": "text/plain" }, "line one\nline two ✓"),
      "/json": reply(200, { "content-type": "application/json" }, '{"ok":true}'),
      "/big": reply(200, { "content-type": "text/plain" }, "x".repeat(10_000)),
      "/gzip": reply(200, { "content-type": "text/plain", "content-encoding": "gzip" }, gzipSync("compressed words ".repeat(100))),
      "/bomb": reply(200, { "content-type": "text/plain", "content-encoding": "gzip" }, gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x61))),
      "/image": reply(200, { "content-type": "image/png" }, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])),
      "/untyped-binary": (_req, res) => res.end(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])),
      "/missing": reply(404, { "content-type": "text/html" }, "<html><body><p>Nothing here, sorry.</p></body></html>"),
      "/slow": (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("the start, then nothing");
        never.push(() => res.end());
      },
      "/hop1": redirect("/hop2", 301),
      "/hop2": redirect("/hop3", 307),
      "/hop3": redirect("/plain?done=1", 308),
      "/loop": redirect("/loop"),
      "/to-forbidden": redirect(forbidden.url("/?token=SECRET")),
      "/to-localhost": redirect(`http://localhost:${forbidden.port}/`),
      "/to-file": redirect("file:///etc/passwd"),
      "/to-closed-port": redirect(`http://127.0.0.1:${closedPort}/gone`),
      ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`/chain${i}`, redirect(`/chain${i + 1}`)])),
    });
    kernel = await createTestKernel({ plugins: [toolsDir, webFetchDir], config: { tools: { web: { allow_private: [`127.0.0.1:${site.port}`] } } } });
    tools = kernel.service(toolsRef)!;
  }, 60_000);

  afterAll(async () => {
    for (const end of never) end();
    await kernel?.stop();
    await site?.close();
    await forbidden?.close();
  });

  beforeEach(() => {
    site.requests.length = 0;
    forbidden.requests.length = 0;
  });

  it("is active and registers web_fetch", () => {
    expect(kernel.plugin("web-fetch")?.status).toBe("active");
    expect(tools.list().filter((t) => t.plugin === "web-fetch").map((t) => t.name)).toEqual(["web_fetch"]);
  });

  it("fetches an HTML page from an allowed local server as text, with its title", async () => {
    const result = await fetch({ url: site.url("/page") });
    expect(result).toMatchObject({ url: site.url("/page"), status: 200, content_type: "text/html", title: "Local & Test Page", truncated: false, bytes: Buffer.byteLength(PAGE) });
    expect(result.text).toContain("Welcome");
    expect(result.text).toContain("The secret word is PINEAPPLE-17.");
    expect(result.text).toContain(`other page [${site.url("/other")}]`);
    expect(result.text).not.toContain("<p>");
    expect(Object.keys(result).at(-1)).toBe("text"); // metadata first: it survives a cut of the result
    expect(site.requests[0]!.headers["user-agent"]).toBe("Aleph-web-fetch/1.0");
  });

  it("returns plain text and JSON as they are, decoded as UTF-8, and decompresses gzip", async () => {
    expect(await fetch({ url: site.url("/plain") })).toEqual({ url: site.url("/plain"), status: 200, content_type: "text/plain", truncated: false, bytes: 21, text: "line one\nline two ✓" });
    expect(await fetch({ url: site.url("/json") })).toMatchObject({ content_type: "application/json", text: '{"ok":true}' });
    expect(await fetch({ url: site.url("/gzip") })).toMatchObject({ text: "compressed words ".repeat(100), bytes: 1700, truncated: false });
  });

  it("returns the status and text of an error page", async () => {
    expect(await fetch({ url: site.url("/missing") })).toMatchObject({ status: 404, text: "Nothing here, sorry." });
  });

  it("stops reading at max_bytes (after decompression, so a zip bomb costs the cap) and cuts the text at max_chars", async () => {
    await configure({ max_bytes: 4096, max_chars: 1000 });
    expect(await fetch({ url: site.url("/big") })).toMatchObject({ truncated: true, bytes: 4096, text: "x".repeat(1000) });
    expect(await fetch({ url: site.url("/big"), max_chars: 10 })).toMatchObject({ truncated: true, text: "x".repeat(10) });
    // A call cannot raise the configured ceiling.
    expect((await fetch({ url: site.url("/big"), max_chars: 5000 })).text).toHaveLength(1000);
    expect(await fetch({ url: site.url("/bomb") })).toMatchObject({ truncated: true, bytes: 4096 });
    expect(await fetch({ url: site.url("/plain") })).toMatchObject({ truncated: false });
    await configure();
  });

  it("gives up on a response that never ends at timeout_seconds", async () => {
    await configure({ timeout_seconds: 0.5 });
    const started = performance.now();
    await expect(fetch({ url: site.url("/slow") })).rejects.toMatchObject({ code: "ALEPH_E_TIMEOUT", message: expect.stringMatching(/took longer than 0.5 s \(\[tools\.web\] timeout_seconds\)/) });
    expect(performance.now() - started).toBeLessThan(3000);
    await configure();
  });

  it("stops when the caller cancels", async () => {
    const controller = new AbortController();
    const pending = fetch({ url: site.url("/slow") }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
  });

  it("follows a chain of redirects within max_redirects and reports the final URL", async () => {
    expect(await fetch({ url: site.url("/hop1") })).toMatchObject({ url: site.url("/plain?done=1"), status: 200, text: "line one\nline two ✓" });
    expect(site.requests.map((r) => r.path)).toEqual(["/hop1", "/hop2", "/hop3", "/plain?done=1"]);
  });

  it("stops at a redirect loop and past max_redirects", async () => {
    await expect(fetch({ url: site.url("/loop") })).rejects.toMatchObject({ code: "ALEPH_E_LIMIT", message: expect.stringMatching(/redirect loop/) });
    await expect(fetch({ url: site.url("/chain0") })).rejects.toMatchObject({ code: "ALEPH_E_LIMIT", message: expect.stringMatching(/after 5 redirects \(\[tools\.web\] max_redirects\)/) });
    expect(site.requests).toHaveLength(1 + 6);
    await configure({ max_redirects: 0 });
    await expect(fetch({ url: site.url("/hop1") })).rejects.toMatchObject({ code: "ALEPH_E_LIMIT" });
    await configure();
  });

  it("refuses 127.0.0.1 on a port allow_private does not grant, without contacting it", async () => {
    const refusal = fetch({ url: forbidden.url("/") });
    await expect(refusal).rejects.toMatchObject({
      code: "ALEPH_E_BLOCKED_URL",
      message: expect.stringMatching(new RegExp(`refused http://127\\.0\\.0\\.1:${forbidden.port}/: 127\\.0\\.0\\.1 is a loopback address in 127\\.0\\.0\\.0/8.*allow_private`)),
      fix: expect.stringContaining(`"127.0.0.1:${forbidden.port}" to allow_private in the [tools.web] section`),
    });
    expect(forbidden.requests).toEqual([]);
  });

  it("refuses loopback written as a number, in hex or as IPv6", async () => {
    for (const url of [`http://2130706433:${forbidden.port}/`, `http://0x7f.1:${forbidden.port}/`, `http://[::1]:${forbidden.port}/`, `http://[::ffff:127.0.0.1]:${forbidden.port}/`, `http://0.0.0.0:${forbidden.port}/`]) {
      await expect(fetch({ url }), url).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL" });
    }
    // The numeric form of a granted address is the granted address.
    expect(await fetch({ url: `http://2130706433:${site.port}/plain` })).toMatchObject({ status: 200 });
    expect(forbidden.requests).toEqual([]);
  });

  it("refuses a host name that resolves to loopback (localhost)", async () => {
    await expect(fetch({ url: `http://localhost:${forbidden.port}/` })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/) });
    expect(forbidden.requests).toEqual([]);
  });

  it("refuses a redirect from the allowed server into a private address it does not grant, naming the hop", async () => {
    await expect(fetch({ url: site.url("/to-forbidden") })).rejects.toMatchObject({
      code: "ALEPH_E_BLOCKED_URL",
      message: expect.stringMatching(new RegExp(`refused redirect 1 \\(from ${escapeRegExp(site.url("/to-forbidden"))}\\) to ${escapeRegExp(forbidden.url("/"))}\\?…: 127\\.0\\.0\\.1 is a loopback address`)),
    });
    expect(forbidden.requests).toEqual([]);
    await expect(fetch({ url: site.url("/to-localhost") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/refused redirect 1 .* localhost resolves to/) });
    await expect(fetch({ url: site.url("/to-file") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/redirect 1 .*the scheme "file:" is not allowed/) });
  });

  it("lets deny_hosts win over allow_hosts and allow_private, and allow_hosts exclude every other host", async () => {
    await configure({ allow_hosts: ["127.0.0.1"], deny_hosts: ["127.0.0.1"] });
    await expect(fetch({ url: site.url("/plain") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/127\.0\.0\.1 is in \[tools\.web\] deny_hosts/) });
    await configure({ allow_hosts: ["example.com", "*.example.org"] });
    await expect(fetch({ url: site.url("/plain") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/not in \[tools\.web\] allow_hosts, which limits web_fetch to example\.com, \*\.example\.org/) });
    await configure({ allow_hosts: ["127.0.0.1"] });
    expect(await fetch({ url: site.url("/plain") })).toMatchObject({ status: 200 });
    // Every hop is checked: a redirect to a host outside allow_hosts is refused.
    await expect(fetch({ url: site.url("/to-localhost") })).rejects.toMatchObject({ message: expect.stringMatching(/redirect 1 .*localhost is not in \[tools\.web\] allow_hosts/) });
    expect(site.requests.filter((r) => r.path === "/plain")).toHaveLength(1);
    await configure();
  });

  it("names the hop whose connection failed", async () => {
    await configure({ allow_private: [`127.0.0.1:${site.port}`, `127.0.0.1:${closedPort}`] });
    await expect(fetch({ url: site.url("/to-closed-port") })).rejects.toMatchObject({
      code: "ALEPH_E_TOOL",
      message: expect.stringMatching(new RegExp(`could not fetch http://127\\.0\\.0\\.1:${closedPort}/gone: .*ECONNREFUSED`)),
    });
    await configure();
  });

  it("refuses binary responses, declared or sniffed", async () => {
    await expect(fetch({ url: site.url("/image") })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/binary: image\/png/) });
    await expect(fetch({ url: site.url("/untyped-binary") })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/looks binary/) });
  });

  it("refuses other schemes, credentials in the URL and what is not a URL", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hi", "javascript:alert(1)"]) {
      await expect(fetch({ url }), url).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/scheme .* is not allowed/) });
    }
    await expect(fetch({ url: `http://user:pw@127.0.0.1:${site.port}/plain` })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL", message: expect.stringMatching(/credentials/) });
    await expect(fetch({ url: "not a url" })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(fetch({ url: site.url("/plain"), max_chars: 0 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(fetch({ url: site.url("/plain"), method: "POST" })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    expect(site.requests).toEqual([]);
  });

  it("takes a new allowance from a config change on the next call", async () => {
    await expect(fetch({ url: forbidden.url("/") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL" });
    await configure({ allow_private: [`127.0.0.1:${site.port}`, `127.0.0.1:${forbidden.port}`] });
    expect(await fetch({ url: forbidden.url("/") })).toMatchObject({ text: "you should not see this" });
    await configure();
    await expect(fetch({ url: forbidden.url("/") })).rejects.toMatchObject({ code: "ALEPH_E_BLOCKED_URL" });
    // Applied in place (onConfigChange): neither web-fetch nor the tools registry was reloaded.
    expect(kernel.eventsNamed("plugin.unloaded")).toEqual([]);
    expect(kernel.eventsNamed("plugin.loaded").filter((p) => p.id === "web-fetch")).toHaveLength(1);
  });

  it("logs each fetch with its host, status, bytes and time, never the query string", async () => {
    await fetch({ url: site.url("/plain?api_key=TOPSECRET") });
    await expect(fetch({ url: forbidden.url("/x?api_key=TOPSECRET") })).rejects.toThrow();
    kernel.kernel.logs.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await readFile(join(kernel.root, "logs", "gateway.log"), "utf8");
    const lines = text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.module === "web-fetch");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: "web_fetch", url: `${site.url("/plain")}?…`, host: `127.0.0.1:${site.port}`, status: 200, bytes: 21, ms: expect.any(Number) }),
        expect.objectContaining({ msg: "web_fetch failed", level: 40, url: `${forbidden.url("/x")}?…`, code: "ALEPH_E_BLOCKED_URL" }),
      ]),
    );
    expect(text).not.toContain("TOPSECRET");
  });

  it("refuses a [tools.web] section with a bad allowance, naming it", async () => {
    await using other = await createTestKernel({ plugins: [toolsDir, webFetchDir], config: { tools: { web: { allow_private: ["10.0.0.0/40"] } } } });
    expect(other.plugin("web-fetch")?.status).toBe("failed");
    expect(other.plugin("web-fetch")?.error?.message).toMatch(/10\.0\.0\.0\/40/);
  }, 60_000);

  it("passes the conformance kit", async () => {
    const result = await runPluginConformance(webFetchDir, { plugins: [toolsDir] });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  }, 60_000);
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
