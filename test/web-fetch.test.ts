/*
 * web_fetch end to end: the real CLI with the bundled web-fetch and tools plugins, HTTP servers on
 * 127.0.0.1 in this process, [tools.web] written into the workspace's config.toml. The page server
 * is granted in allow_private; the other server stands for any private address an agent must not
 * reach, directly or through a redirect. Through `aleph tools call`, and through `aleph talk` with
 * a fake model (the test kit's scripted OpenAI server), where the refusals reach the model as errors.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, runCli, runCliJson } from "./support/aleph.js";

interface LocalSite {
  port: number;
  url(path: string): string;
  /** Paths requested, in order. */
  requests: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))));
});

/** A server on 127.0.0.1 answering `routes` (path → [status, headers, body]), 404 otherwise. */
async function startSite(routes: (site: LocalSite) => Record<string, [number, Record<string, string>, string]>): Promise<LocalSite> {
  const requests: string[] = [];
  let table: Record<string, [number, Record<string, string>, string]> = {};
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    const [status, headers, body] = table[request.url ?? ""] ?? [404, { "content-type": "text/plain" }, "not found"];
    response.writeHead(status, headers).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const site: LocalSite = { port, url: (path) => `http://127.0.0.1:${port}${path}`, requests };
  table = routes(site);
  return site;
}

const PAGE = "<!doctype html><html><head><title>Harbour Notes</title></head><body><h1>Tides</h1><p>High tide is at <b>MARKER-4711</b> today.</p><script>var hidden = 'SCRIPT-ONLY';</script></body></html>";

/** The page server (granted) with a redirect into the private server (not granted), and the private server. */
async function sites() {
  const forbidden = await startSite(() => ({ "/secret": [200, { "content-type": "text/plain" }, "INTERNAL-ONLY"] }));
  const allowed = await startSite(() => ({
    "/page": [200, { "content-type": "text/html; charset=utf-8" }, PAGE],
    "/escape": [302, { location: forbidden.url("/secret") }, ""],
  }));
  const ws = createWorkspace({ config: `[tools.web]\nallow_private = ["127.0.0.1:${allowed.port}"]\n` });
  return { ws, allowed, forbidden };
}

type Message = { role: string; content: string; tool_call_id?: string };
const toolResult = (body: Record<string, unknown>, id: string) => (body.messages as Message[]).find((m) => m.tool_call_id === id)?.content ?? "";

describe("web_fetch", () => {
  test("aleph tools call fetches a page from a granted local server and refuses 127.0.0.1 without the grant", async () => {
    const { ws, allowed, forbidden } = await sites();
    const page = await runCliJson(ws, ["tools", "call", "web_fetch", JSON.stringify({ url: allowed.url("/page") })]);
    expect(page).toMatchObject({ url: allowed.url("/page"), status: 200, content_type: "text/html", title: "Harbour Notes", truncated: false });
    expect(page.text).toContain("High tide is at MARKER-4711 today.");
    expect(page.text).not.toContain("SCRIPT-ONLY");

    const refused = await runCli(ws, ["tools", "call", "web_fetch", JSON.stringify({ url: forbidden.url("/secret") })]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`ALEPH_E_BLOCKED_URL: web_fetch refused ${forbidden.url("/secret")}: 127.0.0.1 is a loopback address`);
    expect(refused.stderr).toContain(`Fix: if agents may reach it, add "127.0.0.1:${forbidden.port}" to allow_private in the [tools.web] section of config.toml`);

    const redirected = await runCli(ws, ["tools", "call", "web_fetch", JSON.stringify({ url: allowed.url("/escape") })]);
    expect(redirected.code).toBe(1);
    expect(redirected.stderr).toContain(`ALEPH_E_BLOCKED_URL: web_fetch refused redirect 1 (from ${allowed.url("/escape")}) to ${forbidden.url("/secret")}: 127.0.0.1 is a loopback address`);
    expect(forbidden.requests).toEqual([]);
    expect(allowed.requests).toEqual(["/page", "/escape"]);
  });

  test("in aleph talk, the page's text reaches the model; a private address and a redirect into one reach it as errors", async () => {
    const { ws, allowed, forbidden } = await sites();
    const model = await fakeModel([
      { toolCalls: [{ id: "c1", name: "web_fetch", arguments: { url: allowed.url("/page") } }] },
      { toolCalls: [{ id: "c2", name: "web_fetch", arguments: { url: forbidden.url("/secret") } }] },
      { toolCalls: [{ id: "c3", name: "web_fetch", arguments: { url: allowed.url("/escape") } }] },
      { text: "High tide is at MARKER-4711." },
    ]);
    writeProviders(ws, openaiProvider("local", model));
    const result = await runCli(ws, ["talk", "-m", "when is high tide?"], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("High tide is at MARKER-4711.\n");
    expect(model.requests).toHaveLength(4);

    const page = JSON.parse(toolResult(model.requests[1]!.body, "c1")) as { title: string; text: string; url: string };
    expect(page).toMatchObject({ url: allowed.url("/page"), title: "Harbour Notes" });
    expect(page.text).toContain("High tide is at MARKER-4711 today.");

    const direct = toolResult(model.requests[2]!.body, "c2");
    expect(direct).toMatch(new RegExp(`^error: web_fetch refused http://127\\.0\\.0\\.1:${forbidden.port}/secret: 127\\.0\\.0\\.1 is a loopback address`));
    const redirect = toolResult(model.requests[3]!.body, "c3");
    expect(redirect).toMatch(/^error: web_fetch refused redirect 1 \(from .*\/escape\) to .*\/secret: 127\.0\.0\.1 is a loopback address/);
    expect(redirect).not.toContain("INTERNAL-ONLY");
    expect(forbidden.requests).toEqual([]);
  });
});
