/*
 * WASM plugins through the real CLI: hot load, reload and unload of a .wasm plugin while
 * `aleph start --events json` runs, shadowing against a Node plugin, and the example's tool.
 * The guest modules are built from WAT at test time by the WASM host's own fixtures.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { fileTool, fileTools, kitchenSink, writePlugin as writeWasmFixture } from "../packages/wasm-host/test/fixtures.js";
import { guest } from "../packages/wasm-host/test/wat.js";
import { createWorkspace, entriesOf, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

const helloWasm = resolve(fileURLToPath(new URL(".", import.meta.url)), "../plugins/examples/hello-wasm");

async function writeWasmPlugin(dir: string, id: string, variant: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "plugin.wasm"), await kitchenSink(variant));
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nkind = "wasm"\n`);
}

/** Builds in a staging directory and moves it in whole, as `cp -r` of a finished plugin would. */
async function dropIn(ws: Workspace, id: string, variant: string): Promise<string> {
  const staged = join(ws.staging, id);
  await writeWasmPlugin(staged, id, variant);
  const target = join(ws.userDir, id);
  cpSync(staged, target, { recursive: true });
  return target;
}

describe("WASM plugins through aleph start", () => {
  test("a .wasm plugin dropped in loads and its activate's aleph_emit reaches the stream; a new .wasm reloads it; removing it unloads it", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    let since = kernel.mark();
    const t0 = performance.now();
    const dir = await dropIn(ws, "sink", "v1");
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "sink", 5_000, since);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(loaded.payload).toMatchObject({ kind: "wasm", source: "user", generation: 1 });
    await kernel.waitForEvent("wasm.activated", (p) => p.variant === "v1", 5_000, since);

    since = kernel.mark();
    writeFileSync(join(dir, "plugin.wasm"), await kitchenSink("v2"));
    await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "sink" && p.reason === "reload", 5_000, since);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "sink" && p.generation === 2, 5_000, since);
    await kernel.waitForEvent("wasm.activated", (p) => p.variant === "v2", 5_000, since);
    // The old generation's deactivate ran before the new one came up.
    await kernel.waitForEvent("wasm.deactivated", () => true, 5_000, since);

    since = kernel.mark();
    rmSync(dir, { recursive: true });
    await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "sink" && p.reason === "removed", 5_000, since);
  });

  test("a WASM plugin in the user path shadows a Node plugin with the same id in the project path", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.projectDir, "twin"), { id: "twin" });
    await writeWasmPlugin(join(ws.userDir, "twin"), "twin", "v1");
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("wasm.activated", () => true);
    const list = await kernel.pluginsList();
    const twins = entriesOf(list, "twin");
    expect(twins.find((p) => p.source === "user")).toMatchObject({ kind: "wasm", status: "active" });
    expect(twins.find((p) => p.source === "project")).toMatchObject({ kind: "node", status: "overridden", overriddenBy: { source: "user" } });
  });

  test("hello-wasm's word_count tool is callable from the CLI, and bad bytes fail with a clear code while the kernel runs on", async () => {
    const ws = createWorkspace();
    cpSync(helloWasm, join(ws.userDir, "hello-wasm"), { recursive: true, filter: (src) => !src.includes("node_modules") });
    const kernel = await startReadyKernel(ws);
    const activated = await kernel.waitForEvent("hello.activated", () => true);
    expect(activated.payload).toMatchObject({ activations: 1, greeting: "Hello" });
    expect(await runCliJson(ws, ["tools", "call", "word_count", '{"text":"one two three four"}'])).toEqual({ count: 4 });

    const since = kernel.mark();
    mkdirSync(join(ws.staging, "junk"));
    writeFileSync(join(ws.staging, "junk", "aleph_plugin.toml"), '[plugin]\nid = "junk"\nversion = "1.0.0"\nkind = "wasm"\n');
    writeFileSync(join(ws.staging, "junk", "plugin.wasm"), "this is not webassembly");
    cpSync(join(ws.staging, "junk"), join(ws.userDir, "junk"), { recursive: true });
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "junk", 5_000, since);
    expect(failed.payload.code).toMatch(/^ALEPH_E_/);
    expect(failed.payload.message).toMatch(/not a WebAssembly module|WebAssembly/i);
    expect(await runCliJson(ws, ["tools", "call", "word_count", '{"text":"still here"}'])).toEqual({ count: 2 });
  });
});

describe("aleph tools call without a running kernel (one-shot)", () => {
  test("a WASM tool spinning past timeout_ms fails with ALEPH_E_TIMEOUT and the command exits 1 promptly, with no teardown failure", async () => {
    const ws = createWorkspace();
    // No deactivate export: unloading then waits only for the timed-out call itself, which used to
    // fail the unload ("plugin teardown failed") and leave the restarted worker running forever.
    const wasm = await guest({ exports: { spin: `(loop $forever (br $forever))` } });
    writeWasmFixture(ws.userDir, { id: "spinner", timeoutMs: 300, tools: { spinner_spin: "spin" } }, wasm);
    // runCli kills the command and fails the test if it has not exited within 20 s.
    const result = await runCli(ws, ["tools", "call", "spinner_spin", "{}"], { timeoutMs: 20_000 });
    expect(result.stderr).toContain("ALEPH_E_TIMEOUT");
    expect(result.stderr).toContain("timeout_ms (300 ms)");
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/teardown failed/);
    expect(result.code).toBe(1);
  });
});

describe("allowed_paths through the CLI", () => {
  test("a WASM tool reads and writes inside its grant; a symbolic link in the grant or `..` reaches nothing outside (WASI: packages/wasm-host/test/fs.test.ts)", async () => {
    const ws = createWorkspace();
    writeWasmFixture(ws.userDir, { id: "files", allowedPaths: { ".": "/data" }, tools: fileTools("files") }, await fileTool());
    const granted = join(ws.root, "data", "files");
    mkdirSync(granted, { recursive: true });
    writeFileSync(join(granted, "notes.txt"), "inside");
    writeFileSync(join(ws.base, "secret.txt"), "outside");
    symlinkSync(join(ws.base, "secret.txt"), join(granted, "link.txt"));
    symlinkSync(ws.base, join(granted, "up"));
    const call = (tool: string, args: unknown) => runCliJson(ws, ["tools", "call", tool, JSON.stringify(args)]);
    expect(await call("files_fs_read", { path: "/data/notes.txt" })).toEqual({ ok: true, content: "inside", size: 6 });
    expect(await call("files_fs_write", { path: "/data/out.txt", content: "written" })).toEqual({ ok: true, bytes: 7 });
    expect(readFileSync(join(granted, "out.txt"), "utf8")).toBe("written");
    expect(await call("files_fs_read", { path: "/data/link.txt" })).toMatchObject({ ok: false, code: "ELOOP" });
    expect(await call("files_fs_read", { path: "/data/up/secret.txt" })).toMatchObject({ ok: false, code: "ELOOP" });
    expect(await call("files_fs_write", { path: "/data/link.txt", content: "overwritten" })).toMatchObject({ ok: false, code: "ELOOP" });
    expect(await call("files_fs_read", { path: "/data/../../secret.txt" })).toMatchObject({ ok: false, code: "EACCES" });
    expect(readFileSync(join(ws.base, "secret.txt"), "utf8")).toBe("outside");
  });
});
