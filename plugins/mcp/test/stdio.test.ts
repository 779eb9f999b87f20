/*
 * The MCP plugin in a real kernel (the test kit) with the tools registry, against the real
 * everything server (@modelcontextprotocol/server-everything) over stdio: its tools registered and
 * called through the registry, results mapped, its environment, cancellation and timeouts, and a
 * kill → restart.
 */
import { mkdtemp, readFile, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsRef, writeKey, type ToolsService } from "@aleph/plugin-sdk";
import { createTestKernel, type TestKernel } from "@aleph/testing";
import { mcpRef, type McpService } from "../src/service.js";
import { everythingStdio, isAlive, mcpPluginDir, toolsPluginDir, waitForExit } from "./servers.js";

const SECRET = "vault-value-7f3a9c";
const KERNEL_ONLY = "kernel-only-value-51d2";

describe("the everything server over stdio", () => {
  let base: string;
  let kernel: TestKernel;
  let tools: ToolsService;
  let mcp: McpService;
  const saved = { passphrase: process.env.ALEPH_VAULT_PASSPHRASE, kernelOnly: process.env.MCP_TEST_KERNEL_ONLY };

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), "mcp-stdio-")));
    // What the kernel's process holds must not reach a server: its own variables, the vault's passphrase.
    process.env.MCP_TEST_KERNEL_ONLY = KERNEL_ONLY;
    process.env.ALEPH_VAULT_PASSPHRASE = "passphrase-of-the-kernel";
    await writeKey(join(base, "keys"), "mcp_token", SECRET); // plaintext: readable with or without the passphrase
    kernel = await createTestKernel({
      root: base,
      plugins: [toolsPluginDir, mcpPluginDir],
      config: {
        mcp: {
          servers: [
            everythingStdio("everything", { env: { MCP_TEST_GREETING: "hello", MCP_TEST_TOKEN: "keys:mcp_token" } }),
            everythingStdio("quick", { timeout_seconds: 0.5 }),
          ],
        },
      },
    });
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "everything", 20_000);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "quick", 20_000);
    tools = kernel.service(toolsRef)!;
    mcp = kernel.service(mcpRef)!;
  }, 60_000);

  afterAll(async () => {
    await kernel?.stop();
    await rm(base, { recursive: true, force: true });
    for (const [key, value] of [["ALEPH_VAULT_PASSPHRASE", saved.passphrase], ["MCP_TEST_KERNEL_ONLY", saved.kernelOnly]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("lists its tools and registers them as everything__<snake_case>, with their JSON Schemas", async () => {
    expect(kernel.plugin("mcp")?.status).toBe("active");
    const ours = tools.list().filter((t) => t.name.startsWith("everything__"));
    expect(ours.map((t) => t.name)).toEqual(
      expect.arrayContaining(["everything__echo", "everything__get_sum", "everything__get_tiny_image", "everything__get_env", "everything__get_resource_links", "everything__trigger_long_running_operation"]),
    );
    for (const tool of ours) {
      expect(tool.plugin).toBe("mcp");
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
      expect(tool.description).toContain('(MCP server "everything", tool "');
    }
    const echo = ours.find((t) => t.name === "everything__echo")!;
    expect(echo.parameters).toEqual({ type: "object", properties: { message: { type: "string", description: "Message to echo" } }, required: ["message"] });

    const [status] = (await mcp.servers()).filter((s) => s.name === "everything");
    expect(status).toMatchObject({ name: "everything", transport: "stdio", status: "ready", tools: ours.length, restarts: 0, server: { name: "mcp-servers/everything" } });
    expect(isAlive(status!.pid!)).toBe(true);
    const views = await mcp.tools("everything");
    expect(views.find((v) => v.original === "get-tiny-image")).toMatchObject({ name: "everything__get_tiny_image", registered: true });
    // A tool that runs only as an MCP task is listed, not offered: every plain call of it would fail.
    expect(views.find((v) => v.original === "simulate-research-query")).toMatchObject({ registered: false, skipped: expect.stringMatching(/only as an MCP task/) });
    expect(ours.map((t) => t.name)).not.toContain("everything__simulate_research_query");
    expect(views.filter((v) => v.registered)).toHaveLength(ours.length);
    await expect(mcp.tools("nope")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: expect.stringMatching(/configured: everything, quick/) });
  });

  it("maps results: text as the text, an image to a private file reference, resource links, structured content", async () => {
    expect(await tools.call("everything__echo", { message: "hi" })).toBe("Echo: hi");
    expect(await tools.call("everything__get_sum", { a: 2, b: 3 })).toMatch(/5/);

    const image = (await tools.call("everything__get_tiny_image", {})) as { content: Array<Record<string, unknown>> };
    expect(image.content.map((c) => c.type)).toEqual(["text", "image", "text"]);
    const ref = image.content[1]!;
    expect(ref).toMatchObject({ type: "image", mimeType: "image/png", path: expect.stringContaining(join(base, "data", "mcp", "media")) });
    const bytes = await readFile(ref.path as string);
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    expect(bytes.length).toBe(ref.bytes);
    expect((await stat(ref.path as string)).mode & 0o777).toBe(0o600);

    const links = (await tools.call("everything__get_resource_links", { count: 2 })) as { content: Array<Record<string, unknown>> };
    expect(links.content.slice(1)).toEqual([
      expect.objectContaining({ type: "resource_link", uri: "demo://resource/dynamic/blob/1", name: "Blob Resource 1" }),
      expect.objectContaining({ type: "resource_link", uri: "demo://resource/dynamic/text/2", name: "Text Resource 2" }),
    ]);
    const embedded = (await tools.call("everything__get_resource_reference", { resourceType: "Text", resourceId: 2 })) as { content: Array<Record<string, unknown>> };
    expect(embedded.content[1]).toMatchObject({ type: "resource", uri: "demo://resource/dynamic/text/2", text: expect.any(String) });

    expect(await tools.call("everything__get_structured_content", { location: "Chicago" })).toEqual({
      content: [{ type: "text", text: JSON.stringify({ temperature: 36, conditions: "Light rain / drizzle", humidity: 82 }) }],
      structuredContent: { temperature: 36, conditions: "Light rain / drizzle", humidity: 82 },
    });
  });

  it("throws the tool's own error text when it answers isError; the registry refuses bad arguments before the server sees them", async () => {
    await expect(tools.call("everything__get_resource_reference", { resourceId: 0 })).rejects.toMatchObject({
      code: "ALEPH_E_MCP_TOOL",
      message: 'the MCP tool "get-resource-reference" of server "everything" failed: Invalid resourceId: 0. Must be a finite positive integer.',
    });
    await expect(tools.call("everything__echo", { message: 3 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
  });

  it("runs the server with a minimal environment plus its env entry (keys: resolved); nothing of the kernel's leaks, and no status shows the secret", async () => {
    const env = JSON.parse((await tools.call("everything__get_env", {})) as string) as Record<string, string>;
    expect(env.MCP_TEST_GREETING).toBe("hello");
    expect(env.MCP_TEST_TOKEN).toBe(SECRET);
    expect(env.PATH).toBe(process.env.PATH);
    expect(env).not.toHaveProperty("MCP_TEST_KERNEL_ONLY");
    expect(env).not.toHaveProperty("ALEPH_VAULT_PASSPHRASE");
    expect(Object.keys(env).filter((k) => k.startsWith("ALEPH_") || k.startsWith("VITEST"))).toEqual([]);
    expect(JSON.stringify(await mcp.servers())).not.toContain(SECRET);
    expect(JSON.stringify(kernel.events)).not.toContain(SECRET);
  });

  it("cancels a call when the caller's signal aborts, and stops one that runs past timeout_seconds", async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 200);
    await expect(tools.call("everything__trigger_long_running_operation", { duration: 10, steps: 2 }, { signal: abort.signal })).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(tools.call("quick__trigger_long_running_operation", { duration: 5, steps: 1 })).rejects.toMatchObject({
      code: "ALEPH_E_TIMEOUT",
      message: expect.stringMatching(/did not answer within 0\.5 s/),
      fix: expect.stringMatching(/timeout_seconds/),
    });
    // The server is still there for the next call.
    expect(await tools.call("quick__echo", { message: "still here" })).toBe("Echo: still here");
  });

  it("restarts a server that is killed: its tools stay registered, a call made while it restarts waits and works", async () => {
    const before = (await mcp.servers()).find((s) => s.name === "everything")!;
    const quickBefore = (await mcp.servers()).find((s) => s.name === "quick")!;
    const count = tools.list().length;
    process.kill(before.pid!, "SIGKILL");
    const down = await kernel.waitFor("mcp.server.restarting", (p) => p.server === "everything", 10_000);
    expect(down.error).toMatch(/exited/);
    expect(down.inMs).toBe(1000);
    expect(tools.list()).toHaveLength(count);
    expect(await tools.call("everything__echo", { message: "back" })).toBe("Echo: back");
    const after = (await mcp.servers()).find((s) => s.name === "everything")!;
    expect(after).toMatchObject({ status: "ready", restarts: 1 });
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(before.pid!)).toBe(false);
    // The other server never noticed.
    expect((await mcp.servers()).find((s) => s.name === "quick")).toMatchObject({ status: "ready", restarts: 0, pid: quickBefore.pid });
  }, 20_000);

  it("stops every server process when the kernel stops (no orphans)", async () => {
    const pids = (await mcp.servers()).map((s) => s.pid!);
    expect(pids.every(isAlive)).toBe(true);
    await kernel.stop();
    for (const pid of pids) await waitForExit(pid, 5000);
  }, 15_000);
});
