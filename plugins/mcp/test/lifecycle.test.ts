/*
 * Servers coming and going: config changes applied server by server, a server that cannot start
 * (missing command, crash at start) failing alone, the tools cache on the next start, a tool list
 * that changes, a server that dies in the middle of a call, and the plugin's conformance.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm, symlink, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toolsRef } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";
import { mcpRef } from "../src/service.js";
import { everythingBin, everythingStdio, fixture, fixtureStdio, isAlive, mcpPluginDir, toolsPluginDir, waitForExit } from "./servers.js";

const kernels: TestKernel[] = [];
async function kernelWith(servers: unknown[], root?: string): Promise<TestKernel> {
  const kernel = await createTestKernel({ plugins: [toolsPluginDir, mcpPluginDir], config: { mcp: { servers } }, ...(root ? { root } : {}) });
  kernels.push(kernel);
  return kernel;
}
afterAll(async () => {
  await Promise.all(kernels.map((k) => k.stop()));
});

/** Waits for an event emitted from now on (the kit's waitFor also matches past ones). */
function nextEvent(kernel: TestKernel) {
  const mark = kernel.events.length;
  return <E extends string>(event: E, predicate: (payload: any) => boolean, timeoutMs = 20_000) =>
    kernel.waitFor(event, (payload) => predicate(payload) && kernel.events.findIndex((e) => e.payload === payload) >= mark, timeoutMs);
}

const namesOf = (kernel: TestKernel, server: string) =>
  kernel
    .service(toolsRef)!
    .list()
    .map((t) => t.name)
    .filter((n) => n.startsWith(`${server}__`));
const statusOf = async (kernel: TestKernel, server: string) => (await kernel.service(mcpRef)!.servers()).find((s) => s.name === server)!;

describe("config changes", () => {
  it("start an added server, stop a removed one (its tools go, its process ends), restart a changed one; the others are not touched", async () => {
    const kernel = await kernelWith([everythingStdio("alpha")]);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "alpha", 20_000);
    const alpha = await statusOf(kernel, "alpha");

    expect(await kernel.writeConfig({ mcp: { servers: [everythingStdio("alpha"), everythingStdio("beta")] } })).toMatchObject({ applied: true });
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "beta", 20_000);
    expect(namesOf(kernel, "beta")).toContain("beta__echo");
    expect(await kernel.service(toolsRef)!.call("beta__echo", { message: "b" })).toBe("Echo: b");
    const beta = await statusOf(kernel, "beta");
    expect(await statusOf(kernel, "alpha")).toMatchObject({ status: "ready", pid: alpha.pid, restarts: 0 });

    const removed = nextEvent(kernel);
    await kernel.writeConfig({ mcp: { servers: [everythingStdio("alpha")] } });
    await removed("mcp.tools.changed", (p) => p.server === "beta" && p.removed.length > 0);
    expect(namesOf(kernel, "beta")).toEqual([]);
    await waitForExit(beta.pid!);
    expect((await kernel.service(mcpRef)!.servers()).map((s) => s.name)).toEqual(["alpha"]);
    await expect(kernel.service(toolsRef)!.call("beta__echo", { message: "b" })).rejects.toMatchObject({ code: "ALEPH_E_TOOL" });
    expect(await statusOf(kernel, "alpha")).toMatchObject({ status: "ready", pid: alpha.pid });

    // A changed entry (its environment) is restarted: a new process, the same tools throughout.
    const count = namesOf(kernel, "alpha").length;
    let next = nextEvent(kernel);
    await kernel.writeConfig({ mcp: { servers: [everythingStdio("alpha", { env: { CHANGED: "1" } })] } });
    expect(namesOf(kernel, "alpha")).toHaveLength(count);
    await next("mcp.server.ready", (p) => p.server === "alpha");
    await waitForExit(alpha.pid!);
    expect(JSON.parse((await kernel.service(toolsRef)!.call("alpha__get_env", {})) as string)).toMatchObject({ CHANGED: "1" });

    // Disabled: listed, not running, no tools; enabled again: back.
    const restarted = await statusOf(kernel, "alpha");
    await kernel.writeConfig({ mcp: { servers: [everythingStdio("alpha", { env: { CHANGED: "1" }, enabled: false })] } });
    await waitForExit(restarted.pid!);
    expect(await statusOf(kernel, "alpha")).toMatchObject({ status: "disabled", tools: 0 });
    expect(namesOf(kernel, "alpha")).toEqual([]);
    await expect(kernel.service(mcpRef)!.tools("alpha")).rejects.toMatchObject({ code: "ALEPH_E_MCP_UNAVAILABLE", message: expect.stringMatching(/disabled/) });
    next = nextEvent(kernel);
    await kernel.writeConfig({ mcp: { servers: [everythingStdio("alpha", { env: { CHANGED: "1" } })] } });
    expect((await next("mcp.server.ready", (p) => p.server === "alpha")).pid).not.toBe(restarted.pid);
    expect(namesOf(kernel, "alpha")).toHaveLength(count);
  }, 60_000);
});

describe("a server that cannot run", () => {
  it("fails alone when its command does not exist: not retried, told with a fix; the other server works", async () => {
    const kernel = await kernelWith([{ name: "broken", command: "/nonexistent/mcp-server-nowhere" }, { name: "nofolder", command: process.execPath, cwd: "/nonexistent/folder" }, everythingStdio("good")]);
    const failed = await kernel.waitFor("mcp.server.failed", (p) => p.server === "broken", 10_000);
    expect(failed).toMatchObject({ error: 'its command "/nonexistent/mcp-server-nowhere" was not found (looked up on PATH)', fix: expect.stringMatching(/absolute path/) });
    expect((await kernel.waitFor("mcp.server.failed", (p) => p.server === "nofolder", 10_000)).error).toMatch(/working directory \/nonexistent\/folder does not exist/);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "good", 20_000);
    expect(await kernel.service(toolsRef)!.call("good__echo", { message: "fine" })).toBe("Echo: fine");
    expect(await statusOf(kernel, "broken")).toMatchObject({ status: "failed", tools: 0, restarts: 0 });
    expect(kernel.plugin("mcp")?.status).toBe("active");
  }, 30_000);

  it("is retried with backoff when it crashes at start, and says what it wrote to stderr", async () => {
    const kernel = await kernelWith([fixtureStdio("crashy", "dynamic-server.mjs", { env: { DYNAMIC_FAIL_AT_START: "fatal: no API key in MY_API_KEY" } })]);
    const first = await kernel.waitFor("mcp.server.restarting", (p) => p.server === "crashy", 10_000);
    expect(first.inMs).toBe(1000);
    const second = await kernel.waitFor("mcp.server.restarting", (p) => p.server === "crashy" && p.inMs === 2000, 10_000);
    expect(second.error).toBe("the server process exited before it was ready; its last stderr line: fatal: no API key in MY_API_KEY");
    const status = await statusOf(kernel, "crashy");
    expect(status).toMatchObject({ status: "restarting", restarts: 2, stderr: expect.arrayContaining(["fatal: no API key in MY_API_KEY"]), nextAttemptAt: expect.any(String) });
  }, 20_000);
});

describe("tool lists", () => {
  it("maps the names, skips a tool whose schema the registry refuses (not the server), follows list changes, and restarts a server that dies during a call", async () => {
    const kernel = await kernelWith([fixtureStdio("dyn", "dynamic-server.mjs")]);
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "dyn", 10_000);
    const views = await kernel.service(mcpRef)!.tools("dyn");
    const byOriginal = Object.fromEntries(views.map((v) => [v.original, v]));
    expect(byOriginal.get_tiny_thing).toMatchObject({ name: "dyn__get_tiny_thing", registered: true });
    expect(byOriginal.getTinyThing!.name).toMatch(/^dyn__get_tiny_thing_[0-9a-f]{8}$/);
    expect(byOriginal["get-tiny-thing"]!.name).toMatch(/^dyn__get_tiny_thing_[0-9a-f]{8}$/);
    expect(byOriginal[`very.long.${"x".repeat(90)}`]!.name).toHaveLength(64);
    expect(byOriginal["no-type"]).toMatchObject({ registered: true, parameters: { type: "object", properties: { n: { type: "number" } } } });
    expect(byOriginal["array-schema"]).toMatchObject({ registered: false, skipped: expect.stringMatching(/type "object"/) });
    expect(namesOf(kernel, "dyn")).toHaveLength(views.length - 1);

    const tools = kernel.service(toolsRef)!;
    expect(await tools.call(byOriginal.getTinyThing!.name, {})).toBe("getTinyThing {}");
    expect(await tools.call("dyn__no_type", { n: 2 })).toBe('no-type {"n":2}');

    expect(await tools.call("dyn__add_tool", {})).toBe("added");
    await kernel.waitFor("mcp.tools.changed", (p) => p.server === "dyn" && p.added.includes("dyn__added_later"), 5000);
    expect(await tools.call("dyn__added_later", {})).toBe("added_later {}");

    const pid = (await statusOf(kernel, "dyn")).pid!;
    await expect(tools.call("dyn__crash", {})).rejects.toMatchObject({ code: "ALEPH_E_MCP_UNAVAILABLE", message: expect.stringMatching(/closed the connection during the call to "crash"/) });
    await kernel.waitFor("mcp.server.ready", (p) => p.server === "dyn" && p.restarts === 1, 10_000);
    expect(isAlive(pid)).toBe(false);
    expect(await tools.call(byOriginal.get_tiny_thing!.name, {})).toBe("get_tiny_thing {}");
  }, 30_000);

  it("registers last start's tools at once from the cache: a call made before the server is up waits for it", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "mcp-cache-")));
    try {
      const slow = (ms: number) => [{ name: "everything", command: process.execPath, args: [fixture("slow-start.mjs"), everythingBin], env: { SLOW_START_MS: String(ms) } }];
      const cacheFile = join(root, "data", "mcp", "tools-cache.json");
      const first = await kernelWith(slow(0), root);
      await first.waitFor("mcp.server.ready", (p) => p.server === "everything", 20_000);
      const listed = namesOf(first, "everything");
      const known = (await first.service(mcpRef)!.tools("everything")).map((v) => v.name);
      for (let i = 0; i < 100 && !existsSync(cacheFile); i++) await new Promise((r) => setTimeout(r, 50));
      const cache = JSON.parse(await readFile(cacheFile, "utf8")) as { servers: Record<string, { tools: { name: string }[] }> };
      expect(cache.servers.everything!.tools.map((t) => t.name).sort()).toEqual([...known].sort());
      await first.stop();

      // Three seconds to start: the kernel is ready long before, with the tools already registered.
      const second = await kernelWith(slow(3000), root);
      expect((await statusOf(second, "everything")).status).toBe("starting");
      expect(namesOf(second, "everything").sort()).toEqual([...listed].sort());
      const started = Date.now();
      expect(await second.service(toolsRef)!.call("everything__echo", { message: "waited" })).toBe("Echo: waited");
      expect(Date.now() - started).toBeGreaterThan(1000);
      await second.stop();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 40_000);
});

it("takes the cached tools of a server out of the registry when it turns out it cannot run (they return with it)", async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), "mcp-gone-")));
  try {
    const command = join(root, "node-link");
    await symlink(process.execPath, command);
    const servers = [{ name: "linked", command, args: [everythingBin] }];
    const first = await kernelWith(servers, root);
    await first.waitFor("mcp.server.ready", (p) => p.server === "linked", 20_000);
    const cacheFile = join(root, "data", "mcp", "tools-cache.json");
    for (let i = 0; i < 100 && !existsSync(cacheFile); i++) await new Promise((r) => setTimeout(r, 50));
    await first.stop();

    await unlink(command); // the program is gone
    const second = await kernelWith(servers, root);
    await second.waitFor("mcp.server.failed", (p) => p.server === "linked", 10_000);
    expect(namesOf(second, "linked")).toEqual([]);
    expect(second.eventsNamed("mcp.tools.changed").some((p) => p.server === "linked" && p.removed.includes("linked__echo"))).toBe(true);
    // Kept in the cache: once the program is back and the entry saved again, the server runs.
    expect(await readFile(cacheFile, "utf8")).toContain("linked__echo");
    await symlink(process.execPath, command);
    const next = nextEvent(second);
    await second.writeConfig({ mcp: { servers: [{ ...servers[0], timeout_seconds: 61 }] } });
    await next("mcp.server.ready", (p) => p.server === "linked");
    expect(namesOf(second, "linked")).toContain("linked__echo");
    await second.stop();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}, 40_000);

it("without servers provides an empty list and touches nothing on disk", async () => {
  const kernel = await kernelWith([]);
  await kernel.waitFor("kernel.ready");
  await new Promise((r) => setTimeout(r, 300)); // past the cache's write debounce
  expect(await kernel.service(mcpRef)!.servers()).toEqual([]);
  expect(existsSync(join(kernel.root, "data", "mcp"))).toBe(false);
});

it("passes the conformance kit (no servers configured: nothing to start)", async () => {
  const result = await runPluginConformance(mcpPluginDir, { plugins: [toolsPluginDir] });
  expect(result.checks.filter((c) => !c.ok)).toEqual([]);
}, 60_000);

it("refuses a bad [mcp] section with the key path", async () => {
  const kernel = await kernelWith([{ name: "a", command: "x", url: "http://127.0.0.1:9/mcp" }]);
  expect(kernel.plugin("mcp")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_CONFIG", message: expect.stringMatching(/servers\.0\.url: give either command .* not both/) } });
});
