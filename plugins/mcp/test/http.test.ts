/*
 * The everything server over streamable HTTP (its own MCP server, served on 127.0.0.1 by
 * fixtures/everything-http.mjs): a bearer token from the vault, credentials refused, and a server
 * that goes away and comes back on the same port.
 */
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { toolsRef, writeKey } from "@aleph/plugin-sdk";
import { createTestKernel, type TestKernel } from "@aleph/testing";
import { mcpRef } from "../src/service.js";
import { mcpPluginDir, startEverythingHttp, stopHttpServers, toolsPluginDir } from "./servers.js";

const TOKEN = "http-token-0c4e2b";
const kernels: TestKernel[] = [];
const roots: string[] = [];

async function kernelWith(servers: unknown[]): Promise<TestKernel> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "mcp-http-")));
  roots.push(root);
  await writeKey(join(root, "keys"), "mcp_http", TOKEN);
  const kernel = await createTestKernel({ root, plugins: [toolsPluginDir, mcpPluginDir], config: { mcp: { servers } } });
  kernels.push(kernel);
  return kernel;
}

afterEach(stopHttpServers);
afterAll(async () => {
  await Promise.all(kernels.map((k) => k.stop()));
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

describe("the everything server over streamable HTTP", () => {
  it("connects with the bearer token from the vault, registers the tools and calls them; the token shows nowhere", async () => {
    const http = await startEverythingHttp({ token: TOKEN });
    const kernel = await kernelWith([{ name: "remote", url: http.url, bearer_token: "keys:mcp_http" }]);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "remote", 20_000);
    const tools = kernel.service(toolsRef)!;
    expect(tools.list().map((t) => t.name)).toContain("remote__echo");
    expect(await tools.call("remote__echo", { message: "over http" })).toBe("Echo: over http");
    const image = (await tools.call("remote__get_tiny_image", {})) as { content: Array<{ type: string; path?: string }> };
    expect(image.content[1]).toMatchObject({ type: "image", path: expect.stringMatching(/\.png$/) });
    const [status] = await kernel.service(mcpRef)!.servers();
    expect(status).toMatchObject({ name: "remote", transport: "http", status: "ready", target: http.url });
    expect(status).not.toHaveProperty("pid");
    expect(JSON.stringify(kernel.events) + JSON.stringify(status)).not.toContain(TOKEN);
  }, 30_000);

  it("fails (not retried) when the server refuses the credentials", async () => {
    const http = await startEverythingHttp({ token: TOKEN });
    const kernel = await kernelWith([{ name: "remote", url: http.url, headers: { Authorization: "Bearer wrong" } }]);
    const failed = await kernel.waitFor("mcp.server.failed", (p) => p.server === "remote", 20_000);
    expect(failed.error).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(failed.fix).toMatch(/bearer_token/);
  }, 30_000);

  it("reconnects after the server went away: the call that finds it gone fails clearly, the server is retried with backoff, calls work again", async () => {
    const first = await startEverythingHttp();
    const kernel = await kernelWith([{ name: "remote", url: first.url }]);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "remote", 20_000);
    const tools = kernel.service(toolsRef)!;
    expect(await tools.call("remote__echo", { message: "1" })).toBe("Echo: 1");

    await first.stop();
    await expect(tools.call("remote__echo", { message: "2" })).rejects.toMatchObject({ code: "ALEPH_E_MCP_UNAVAILABLE", message: expect.stringMatching(/could not be reached/) });
    await kernel.waitFor("mcp.server.restarting", (p) => p.server === "remote", 5000);
    expect(tools.list().map((t) => t.name)).toContain("remote__echo");

    // Back on the same port (a new process: the old session is unknown there, a new one is made).
    await startEverythingHttp({ port: first.port });
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "remote" && p.restarts >= 1, 20_000);
    expect(await tools.call("remote__echo", { message: "3" })).toBe("Echo: 3");
  }, 40_000);
});
