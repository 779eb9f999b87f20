// The ABI of docs/plugins.md ("WASM plugins"), through the real kernel, in both modes.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kitchenSink, kitchenTools, writePlugin, type ManifestSpec } from "./fixtures.js";
import { startKernel, teardownAfterEachTest, testRoot, type Harness } from "./harness.js";

const CONFIG = `[p]\ngreeting = "hi"\nnested = { deep = 3, list = [1, 2] }\n`;

let h: Harness | undefined;
teardownAfterEachTest();

// Foreground: nothing in the manifest needs a worker. Worker: timeout_ms (only a worker can be stopped).
const MODES: [string, Partial<ManifestSpec>][] = [
  ["foreground", {}],
  ["worker", { timeoutMs: 5000 }],
];

describe.each(MODES)("%s mode", (_mode, limits) => {
  const spec = (extra: Partial<ManifestSpec> = {}): ManifestSpec => ({
    id: "p",
    optional: ["tools"],
    tools: kitchenTools("p"),
    hooks: [{ event: "test.ping", handler: "on_ping" }],
    ...limits,
    ...extra,
  });

  it("runs activate (its aleph_emit reaches the bus) and lists the plugin active as wasm", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    expect(h.events.find((e) => e.event === "wasm.activated")?.payload).toEqual({ variant: "v1" });
    expect(h.status("p")).toMatchObject({ status: "active", kind: "wasm", generation: 1, source: "user" });
    const loaded = h.events.find((e) => e.event === "plugin.loaded" && e.payload.id === "p");
    expect(loaded?.payload).toMatchObject({ kind: "wasm", generation: 1 });
  });

  it("binds [[hooks]]: the event payload is the export's input", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    await h.kernel.bus.emit("test.ping", { n: 42, s: "ünïcödé ✓" });
    // emit waits for the hook, so the hook's own emit has happened
    expect(h.events.filter((e) => e.event === "wasm.pong").map((e) => e.payload)).toEqual([{ n: 42, s: "ünïcödé ✓" }]);
    expect(h.bystander.pings).toBe(1);
  });

  it("registers [[tools]] with the tools service; they are callable and go away on unload", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    const listed = h.tools.list().filter((tool) => tool.plugin === "p");
    expect(listed.map((tool) => tool.name).sort()).toEqual(Object.keys(kitchenTools("p")).sort());
    expect(listed.find((tool) => tool.name === "p_echo")).toMatchObject({ description: "calls echo", parameters: { type: "object" } });
    expect(await h.call("p_echo", { a: [1, "two", { three: null }] })).toEqual({ a: [1, "two", { three: null }] });
    expect(await h.call("p_kv_set", { key: "nothing-out", value: 1 })).toBeNull(); // empty output = null
    await h.stop();
    expect(h.tools.tools.size).toBe(0);
    expect(h.events.some((e) => e.event === "wasm.deactivated")).toBe(true);
  });

  it("registers [[tools]] of a manifest that does not mention the tools service (the kernel implies optional)", async () => {
    const t = testRoot();
    writePlugin(t.plugins, { ...spec(), optional: [] }, await kitchenSink());
    h = await startKernel(t.root);
    expect(await h.call("p_echo", { implied: true })).toEqual({ implied: true });
  });

  it("answers aleph_config from the plugin's config section", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root, { config: CONFIG });
    expect(await h.call("p_config", { key: "greeting" })).toBe("hi");
    expect(await h.call("p_config", { key: "nested" })).toEqual({ deep: 3, list: [1, 2] });
    expect(await h.call("p_config", { key: "nested.deep" })).toBe(3);
    expect(await h.call("p_config", { key: "" })).toEqual({ greeting: "hi", nested: { deep: 3, list: [1, 2] } });
    expect(await h.call("p_config", { key: "absent" })).toBeNull();
    expect(await h.call("p_config", { wrong: true })).toBeNull(); // malformed: answers 0, logged
  });

  it("keeps aleph_kv values across a reload and a kernel restart", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    expect(await h.call("p_kv_get", { key: "k" })).toBeNull();
    await h.call("p_kv_set", { key: "k", value: { x: 1, y: ["a"] } });
    await h.call("p_kv_set", { key: "n", value: 7 });
    expect(await h.call("p_kv_get", { key: "k" })).toEqual({ x: 1, y: ["a"] });

    await h.kernel.host.reload("p");
    expect(h.status("p")).toMatchObject({ status: "active", generation: 2 });
    expect(await h.call("p_kv_get", { key: "k" })).toEqual({ x: 1, y: ["a"] });

    await h.stop();
    const file = join(t.root, "data", "p", "kv.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ k: { x: 1, y: ["a"] }, n: 7 });
    h = await startKernel(t.root);
    expect(await h.call("p_kv_get", { key: "k" })).toEqual({ x: 1, y: ["a"] });
    await h.call("p_kv_set", { key: "k", value: null }); // null deletes
    expect(await h.call("p_kv_get", { key: "k" })).toBeNull();
    expect(await h.call("p_kv_get", { key: "n" })).toBe(7);
    await h.stop();
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ n: 7 });
    h = undefined;
  });

  it("emits what aleph_emit asks for, but never kernel events", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    await h.call("p_emit", { event: "custom.thing", payload: { a: 1 } });
    await h.call("p_emit", { event: "plugin.failed", payload: { id: "someone-else", code: "ALEPH_E_SETUP", message: "forged" } });
    await h.call("p_emit", "not an object");
    expect(h.events.filter((e) => e.event === "custom.thing").map((e) => e.payload)).toEqual([{ a: 1 }]);
    expect(h.events.some((e) => e.event === "plugin.failed")).toBe(false);
    expect(h.status("p")?.status).toBe("active");
  });

  it("writes aleph_log lines to the plugin's log", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root, { logToFiles: true });
    await h.call("p_log", { level: "warn", msg: "careful: wasm speaking" });
    await h.call("p_log", { level: "shout", msg: "bad level" });
    await h.stop();
    h = undefined;
    const logs = readdirSync(join(t.root, "logs")).map((f) => readFileSync(join(t.root, "logs", f), "utf8")).join("\n");
    const lines = logs.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === "careful: wasm speaking")).toMatchObject({ module: "p" });
    expect(lines.some((l) => String(l.msg).includes("aleph_log: ignored malformed input"))).toBe(true);
  });

  it("reloads a new .wasm: generation + 1, the new code runs, the old one was deactivated", async () => {
    const t = testRoot();
    const dir = writePlugin(t.plugins, spec(), await kitchenSink("v1"));
    h = await startKernel(t.root);
    expect(await h.call("p_version")).toBe("v1");
    writeFileSync(join(dir, "plugin.wasm"), await kitchenSink("v2"));
    await h.kernel.host.reload("p");
    expect(h.status("p")).toMatchObject({ status: "active", generation: 2 });
    expect(await h.call("p_version")).toBe("v2");
    const order = h.events.filter((e) => ["wasm.activated", "wasm.deactivated"].includes(e.event)).map((e) => `${e.event}:${e.payload.variant ?? ""}`);
    expect(order).toEqual(["wasm.activated:v1", "wasm.deactivated:", "wasm.activated:v2"]);
    // a broken edit keeps the running generation
    writeFileSync(join(dir, "plugin.wasm"), "garbage");
    await h.kernel.host.reload("p");
    expect(h.status("p")).toMatchObject({ status: "active", generation: 2, error: { code: "ALEPH_E_ENTRY" } });
    expect(await h.call("p_version")).toBe("v2");
  });
});

describe("aleph_call (worker mode: the plugin requires a service)", () => {
  it("calls sync and async methods of required services and refuses everything else", async () => {
    const t = testRoot();
    writePlugin(t.plugins, { id: "p", requires: ["calc"], optional: ["tools"], tools: kitchenTools("p") }, await kitchenSink());
    h = await startKernel(t.root);
    const call = (service: string, method: string, args?: unknown) => h!.call("p_call", { service, method, ...(args === undefined ? {} : { args }) });
    expect(await call("calc", "add", [2, 3])).toEqual({ ok: true, result: 5 });
    expect(await call("calc", "mul", [3, 4])).toEqual({ ok: true, result: 12 }); // async: awaited
    expect(h.calc.calls).toEqual(["add", "mul"]);
    expect(await call("calc", "boom", [])).toEqual({ ok: false, error: "calc exploded" });
    expect(await call("calc", "cyclic", [])).toMatchObject({ ok: false, error: expect.stringContaining("not JSON-serialisable") });
    expect(await call("calc", "nope", [])).toMatchObject({ ok: false, error: 'service "calc" has no method "nope"' });
    expect(await call("calc", "toString", [])).toMatchObject({ ok: false });
    expect(await call("calc", "constructor", [])).toMatchObject({ ok: false });
    expect(await call("calc", "add", "not-an-array")).toMatchObject({ ok: false, error: '"args" must be an array' });
    // optional is not enough; undeclared is refused
    expect(await call("tools", "list", [])).toMatchObject({ ok: false, error: expect.stringContaining("optional services are not reachable") });
    expect(await call("secrets", "get", [])).toMatchObject({ ok: false, error: expect.stringContaining('may not call service "secrets"') });
    expect(await h.call("p_call", "garbage")).toMatchObject({ ok: false, error: expect.stringContaining("malformed input") });
    expect(h.calc.calls).toEqual(["add", "mul"]);
    expect(h.status("p")?.status).toBe("active");
  });
});
