// Bad modules and failing calls: each fails with a clear code, and the kernel and an unrelated
// plugin keep running.
import { describe, expect, it } from "vitest";
import { kitchenSink, kitchenTools, writePlugin, type ManifestSpec } from "./fixtures.js";
import { startKernel, teardownAfterEachTest, testRoot, type Harness } from "./harness.js";
import { guest, wat2wasm } from "./wat.js";

let h: Harness | undefined;
teardownAfterEachTest();

async function expectStillServing(h: Harness, pluginTool?: string) {
  const before = h.bystander.pings;
  await h.kernel.bus.emit("test.ping", {});
  expect(h.bystander.pings).toBe(before + 1);
  expect(h.status("bystander")?.status).toBe("active");
  expect(h.kernel.state).toBe("running");
  if (pluginTool) expect(await h.call(pluginTool, { still: "here" })).toEqual({ still: "here" });
}

describe("modules that cannot load", () => {
  it("fails each with ALEPH_E_ENTRY (or ALEPH_E_SETUP for a failing activate) and a message that says what and how to fix", async () => {
    const t = testRoot();
    const good = await kitchenSink();
    writePlugin(t.plugins, { id: "not-wasm" }, "hello, I am a text file\n");
    writePlugin(t.plugins, { id: "empty" }, new Uint8Array());
    writePlugin(t.plugins, { id: "missing-export", hooks: [{ event: "x.y", handler: "on_nothing" }], optional: ["tools"], tools: { missing_tool: "not_there" } }, good);
    writePlugin(
      t.plugins,
      { id: "unknown-import" },
      await guest({ imports: `(import "extism:host/user" "aleph_teleport" (func (param i64) (result i64)))`, exports: { activate: "" } }),
    );
    writePlugin(t.plugins, { id: "abort-import" }, await wat2wasm(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1))`));
    writePlugin(t.plugins, { id: "component" }, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
    writePlugin(t.plugins, { id: "corrupt" }, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00]));
    writePlugin(
      t.plugins,
      { id: "activate-traps" },
      await guest({ exports: { activate: "unreachable", deactivate: (str) => `(drop (call $aleph_emit (call $to_block ${str('{"event":"wasm.deactivated","payload":{}}')})))` } }),
    );
    writePlugin(t.plugins, { id: "activate-errors" }, await guest({ exports: { activate: (str) => `(call $error ${str("no database configured")})` } }));
    writePlugin(t.plugins, { id: "no-file", entry: "build/plugin.wasm" }, null);
    writePlugin(t.plugins, { id: "fine", optional: ["tools"], tools: { fine_echo: "echo" } }, good);

    h = await startKernel(t.root);
    const error = (id: string) => {
      const info = h!.status(id);
      expect(info?.status, id).toBe("failed");
      return info!.error!;
    };
    expect(error("not-wasm")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining('is not a WebAssembly module (it starts with "hello, I"') });
    expect(error("not-wasm").fix).toMatch(/Extism PDK/);
    expect(error("not-wasm").file).toMatch(/not-wasm\/plugin\.wasm$/);
    expect(error("empty")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining("is empty") });
    expect(error("missing-export")).toMatchObject({
      code: "ALEPH_E_ENTRY",
      message: expect.stringMatching(/does not export "on_nothing" \(hook for x\.y\), "not_there" \(tool missing_tool\); it exports .*echo/),
    });
    expect(error("unknown-import")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining('imports "extism:host/user"."aleph_teleport", which the host does not provide') });
    expect(error("abort-import").fix).toMatch(/--use abort=/);
    expect(error("component")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining("is a WebAssembly component, not a core module") });
    expect(error("corrupt")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining("is not a valid WebAssembly module") });
    expect(error("activate-traps")).toMatchObject({ code: "ALEPH_E_SETUP", message: expect.stringContaining("ALEPH_E_WASM_TRAP") });
    expect(error("activate-traps").message).toMatch(/activate of plugin "activate-traps" failed: .*trapped: unreachable/);
    expect(h.events.some((e) => e.event === "wasm.deactivated")).toBe(false); // no deactivate without a successful activate
    expect(error("activate-errors")).toMatchObject({ code: "ALEPH_E_SETUP", message: expect.stringContaining("returned an error: no database configured") });
    expect(error("no-file")).toMatchObject({ code: "ALEPH_E_ENTRY", message: expect.stringContaining('entry "build/plugin.wasm" of plugin "no-file" does not exist') });

    expect(h.status("fine")?.status).toBe("active");
    const failed = h.events.filter((e) => e.event === "plugin.failed").map((e) => e.payload.id).sort();
    expect(failed).toEqual(["abort-import", "activate-errors", "activate-traps", "component", "corrupt", "empty", "missing-export", "no-file", "not-wasm", "unknown-import"]);
    await expectStillServing(h, "fine_echo");
  });
});

const MODES: [string, Partial<ManifestSpec>][] = [
  ["foreground", {}],
  ["worker", { timeoutMs: 5000 }],
];

describe.each(MODES)("failing calls, %s mode", (_mode, limits) => {
  const spec = (): ManifestSpec => ({
    id: "p",
    optional: ["tools"],
    tools: kitchenTools("p"),
    hooks: [
      { event: "test.trap", handler: "trap" },
      { event: "test.bad-output", handler: "bad_output" },
      { event: "test.fail", handler: "fail" },
    ],
    ...limits,
  });

  it("a trap, an error and output that is not JSON reject tool calls with their codes; the plugin keeps serving", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    await expect(h.call("p_trap")).rejects.toMatchObject({ code: "ALEPH_E_WASM_TRAP", message: expect.stringMatching(/export "trap" of plugin "p" trapped: unreachable/) });
    await expect(h.call("p_fail")).rejects.toMatchObject({ code: "ALEPH_E_WASM_TRAP", message: 'export "fail" of plugin "p" returned an error: something went wrong' });
    await expect(h.call("p_bad_output")).rejects.toMatchObject({ code: "ALEPH_E_WASM_OUTPUT", message: expect.stringContaining('returned output that is not JSON: "this is not JSON {"') });
    expect(await h.call("p_count")).toBe(1);
    expect(await h.call("p_count")).toBe(2); // state survives a trap
    expect(h.status("p")?.status).toBe("active");
    await expectStillServing(h, "p_echo");
  });

  it("a failing hook is reported as plugin.error with its code and never reaches the emitter", async () => {
    const t = testRoot();
    writePlugin(t.plugins, spec(), await kitchenSink());
    h = await startKernel(t.root);
    await expect(h.kernel.bus.emit("test.trap", { a: 1 })).resolves.toBeUndefined();
    await expect(h.kernel.bus.emit("test.bad-output", {})).resolves.toBeUndefined();
    await expect(h.kernel.bus.emit("test.fail", {})).resolves.toBeUndefined();
    const errors = h.events.filter((e) => e.event === "plugin.error").map((e) => e.payload);
    expect(errors).toEqual([
      { id: "p", event: "test.trap", code: "ALEPH_E_WASM_TRAP", message: expect.stringContaining("trapped: unreachable") },
      { id: "p", event: "test.bad-output", code: "ALEPH_E_WASM_OUTPUT", message: expect.stringContaining("not JSON") },
      { id: "p", event: "test.fail", code: "ALEPH_E_WASM_TRAP", message: expect.stringContaining("something went wrong") },
    ]);
    expect(h.status("p")?.status).toBe("active");
    await expectStillServing(h, "p_echo");
  });
});
