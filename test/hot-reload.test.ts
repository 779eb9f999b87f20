/*
 * Hot load, reload and unload in each watched search path (user, system, project), through the
 * real CLI: files are copied, edited and deleted while `aleph start --events json` runs.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, entriesOf, entryOf, eventually, runCli, sleep, startKernel, startReadyKernel, type AlephEvent, type KernelProcess, type Workspace } from "./support/aleph.js";
import { copyPlugin, fixtureCode, installPlugin, writePlugin } from "./support/plugins.js";

type Source = "user" | "system" | "project";

/** A plugin whose entry imports a second module, which imports a third: a small module graph. */
function graphPlugin(dir: string, id: string, values: { entry?: string; helper?: string; deep?: string; version?: string } = {}): string {
  return writePlugin(dir, {
    id,
    version: values.version ?? "1.0.0",
    code: entrySource(values.entry ?? "entry-v1"),
    files: {
      "lib/helper.js": helperSource(values.helper ?? "helper-v1"),
      "lib/deep.js": deepSource(values.deep ?? "deep-v1"),
    },
  });
}

function entrySource(marker: string): string {
  return `import { helperValue, deepValue } from "./lib/helper.js";
const ENTRY = ${JSON.stringify(marker)};
export default {
  async setup(ctx) {
    ctx.onDispose(() => ctx.events.emit("fixture.disposed", { id: ctx.id, generation: ctx.generation }));
    await ctx.events.emit("fixture.ran", { id: ctx.id, generation: ctx.generation, entry: ENTRY, helper: helperValue, deep: deepValue() });
  },
};
`;
}

function helperSource(marker: string): string {
  return `import { deep } from "./deep.js";
export const helperValue = ${JSON.stringify(marker)};
export function deepValue() { return deep; }
`;
}

function deepSource(marker: string): string {
  return `export const deep = ${JSON.stringify(marker)};\n`;
}

/**
 * Waits for the reload of `id` from generation `from` caused by something done after `since`:
 * plugin.unloaded {reason: "reload"} first, then plugin.loaded with generation from+1; returns
 * the fixture.ran event of the new generation.
 */
async function expectReload(kernel: KernelProcess, id: string, from: number, since: number): Promise<{ loaded: AlephEvent; ran: AlephEvent; unloaded: AlephEvent }> {
  const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === id && p.generation === from + 1, 10_000, since);
  const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === id, since);
  expect(unloaded.payload.reason, kernel.describe(since)).toBe("reload");
  expect(unloaded.index, "plugin.unloaded comes before plugin.loaded").toBeLessThan(loaded.index);
  const disposed = kernel.seen("fixture.disposed", (p) => p.id === id, since);
  expect(disposed.payload.generation, "the old generation was disposed").toBe(from);
  const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === id && p.generation === from + 1, 5_000, since);
  return { loaded, ran, unloaded };
}

/** Starts a kernel, copies the graph plugin into the source's path and waits until it runs. */
async function startWithPlugin(source: Source, id: string): Promise<{ ws: Workspace; kernel: KernelProcess; dir: string; loadMs: number }> {
  const ws = createWorkspace();
  const kernel = await startReadyKernel(ws);
  const staged = graphPlugin(join(ws.staging, id), id);
  const dir = join(ws.dirOf(source), id);
  const since = kernel.mark();
  const t0 = performance.now();
  copyPlugin(staged, dir);
  const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === id, 10_000, since);
  const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === id, 5_000, since);
  expect(loaded.payload).toMatchObject({ id, version: "1.0.0", kind: "node", source, path: dir, generation: 1 });
  expect(ran.payload).toMatchObject({ generation: 1, entry: "entry-v1", helper: "helper-v1", deep: "deep-v1" });
  return { ws, kernel, dir, loadMs: loaded.at - t0 };
}

describe.each<Source>(["user", "system", "project"])("hot reload in the %s search path", (source) => {
  test(`a plugin directory copied into the ${source} path while the kernel runs is loaded within 1 s`, async () => {
    const { loadMs } = await startWithPlugin(source, "alpha");
    console.log(`[hot-reload] ${source}: plugin.loaded ${loadMs.toFixed(0)} ms after the copy started`);
    expect(loadMs).toBeLessThan(1000);
  });

  test(`editing the entry of a ${source} plugin unloads it for reload and loads generation 2 running the new entry, once`, async () => {
    const { kernel, dir } = await startWithPlugin(source, "alpha");
    const since = kernel.mark();
    writeFileSync(join(dir, "index.js"), entrySource("entry-v2"));
    const { ran, loaded } = await expectReload(kernel, "alpha", 1, since);
    expect(loaded.payload).toMatchObject({ id: "alpha", source, generation: 2 });
    expect(ran.payload).toMatchObject({ entry: "entry-v2", helper: "helper-v1", deep: "deep-v1" });
    // One edit, one reload: the watcher's events are debounced.
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "alpha"), kernel.describe(since)).toHaveLength(1);
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "alpha"), kernel.describe(since)).toHaveLength(1);
    const list = await kernel.pluginsList();
    expect(entriesOf(list, "alpha")).toEqual([expect.objectContaining({ status: "active", generation: 2, source, running: true })]);
  });

  test(`editing a module that the entry of a ${source} plugin imports (and one that module imports) reloads it with a fresh module graph`, async () => {
    const { kernel, dir } = await startWithPlugin(source, "alpha");
    // The second module, imported directly by the entry.
    let since = kernel.mark();
    writeFileSync(join(dir, "lib/helper.js"), helperSource("helper-v2"));
    let { ran } = await expectReload(kernel, "alpha", 1, since);
    expect(ran.payload).toMatchObject({ entry: "entry-v1", helper: "helper-v2", deep: "deep-v1" });
    // A third module, imported only by the second.
    since = kernel.mark();
    writeFileSync(join(dir, "lib/deep.js"), deepSource("deep-v2"));
    ({ ran } = await expectReload(kernel, "alpha", 2, since));
    expect(ran.payload).toMatchObject({ entry: "entry-v1", helper: "helper-v2", deep: "deep-v2" });
  });

  test(`editing the manifest of a ${source} plugin reloads it under the new manifest`, async () => {
    const { kernel, dir } = await startWithPlugin(source, "alpha");
    const since = kernel.mark();
    const manifest = join(dir, "aleph_plugin.toml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('version = "1.0.0"', 'version = "1.1.0"'));
    const { loaded, unloaded, ran } = await expectReload(kernel, "alpha", 1, since);
    expect(unloaded.payload).toMatchObject({ id: "alpha", version: "1.0.0", reason: "reload" });
    expect(loaded.payload).toMatchObject({ id: "alpha", version: "1.1.0", source, generation: 2 });
    expect(ran.payload.entry).toBe("entry-v1");
    const list = await kernel.pluginsList();
    expect(entriesOf(list, "alpha")).toEqual([expect.objectContaining({ version: "1.1.0", status: "active", generation: 2 })]);
  });

  test(`deleting a ${source} plugin's directory unloads it with reason "removed"`, async () => {
    const { kernel, dir } = await startWithPlugin(source, "alpha");
    const since = kernel.mark();
    rmSync(dir, { recursive: true, force: true });
    const unloaded = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "alpha", 10_000, since);
    expect(unloaded.payload).toEqual({ id: "alpha", version: "1.0.0", reason: "removed" });
    await kernel.waitForEvent("fixture.disposed", (p) => p.id === "alpha" && p.generation === 1, 5_000, since);
    const list = await kernel.pluginsList();
    expect(entriesOf(list, "alpha"), JSON.stringify(list)).toEqual([]);
    const status = await kernel.status();
    expect(status.running).toBe(true);
  });
});

describe("hot reload details", () => {
  test("a CommonJS module that a plugin's entry imports is fresh after a reload too", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const dir = join(ws.userDir, "cjs-user");
    const entry = (tag: string) => `import cjs from "./lib/legacy.cjs";
export default {
  async setup(ctx) {
    await ctx.events.emit("fixture.ran", { id: ctx.id, generation: ctx.generation, cjs: cjs.value, tag: ${JSON.stringify(tag)} });
  },
};
`;
    writePlugin(join(ws.staging, "cjs-user"), { id: "cjs-user", code: entry("a"), files: { "lib/legacy.cjs": `module.exports = { value: "cjs-v1" };\n` } });
    copyPlugin(join(ws.staging, "cjs-user"), dir);
    const first = await kernel.waitForEvent("fixture.ran", (p) => p.id === "cjs-user");
    expect(first.payload).toMatchObject({ generation: 1, cjs: "cjs-v1" });
    const since = kernel.mark();
    writeFileSync(join(dir, "lib/legacy.cjs"), `module.exports = { value: "cjs-v2" };\n`);
    const second = await kernel.waitForEvent("fixture.ran", (p) => p.id === "cjs-user" && p.generation === 2, 10_000, since);
    expect(second.payload.cjs).toBe("cjs-v2");
  });

  test("a plugin that imports @aleph/plugin-sdk from a temp directory without node_modules loads and reloads", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const code = (marker: string) => `import { definePlugin, createServiceRef } from "@aleph/plugin-sdk";
const ref = createServiceRef("sdk-svc");
export default definePlugin({
  async setup(ctx) {
    ctx.services.provide(ref, { marker: ${JSON.stringify(marker)} });
    await ctx.events.emit("fixture.ran", { id: ctx.id, generation: ctx.generation, marker: ${JSON.stringify(marker)} });
  },
});
`;
    writePlugin(join(ws.staging, "sdk-user"), { id: "sdk-user", provides: ["sdk-svc"], code: code("v1") });
    copyPlugin(join(ws.staging, "sdk-user"), join(ws.userDir, "sdk-user"));
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "sdk-user" && p.marker === "v1");
    const since = kernel.mark();
    writeFileSync(join(ws.userDir, "sdk-user", "index.js"), code("v2"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "sdk-user" && p.generation === 2, 10_000, since);
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "sdk-user", since);
    expect(unloaded.payload.reason).toBe("reload");
    expect(unloaded.index).toBeLessThan(loaded.index);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "sdk-user" && p.generation === 2, 10_000, since);
    expect(ran.payload.marker).toBe("v2");
  });

  test("a plugin whose manifest arrives before its entry loads once the entry is there", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const dir = join(ws.userDir, "slow-copy");
    mkdirSync(dir);
    const since = kernel.mark();
    writeFileSync(join(dir, "aleph_plugin.toml"), '[plugin]\nid = "slow-copy"\nversion = "1.0.0"\nentry = "index.js"\n');
    // Longer than the debounce: the kernel sees a plugin without its entry first.
    await kernel.waitForEvent("plugin.failed", (p) => p.id === "slow-copy", 5_000, since);
    writeFileSync(join(dir, "index.js"), fixtureCode({ id: "slow-copy", marker: "complete" }));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "slow-copy", 5_000, since);
    expect(loaded.payload.generation).toBe(1);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "slow-copy" && p.marker === "complete", 5_000, since);
    await eventually(async () => expect(entryOf(await kernel.pluginsList(), "slow-copy").error).toBeUndefined());
  });

  test("deleting a failed plugin's directory removes it from the list", async () => {
    const ws = createWorkspace();
    const dir = writePlugin(join(ws.userDir, "doomed"), { id: "doomed", api: "^7" });
    const kernel = await startReadyKernel(ws);
    expect(entryOf(await kernel.pluginsList(), "doomed").status).toBe("failed");
    rmSync(dir, { recursive: true });
    await eventually(async () => expect(entriesOf(await kernel.pluginsList(), "doomed")).toEqual([]));
  });

  test("renaming a plugin's directory reloads it from the new path", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "before"), { id: "moving", marker: "m1" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "moving");
    const since = kernel.mark();
    renameSync(join(ws.userDir, "before"), join(ws.userDir, "after"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "moving", 10_000, since);
    expect(loaded.payload).toMatchObject({ path: join(ws.userDir, "after"), generation: 2 });
    const unloaded = kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "moving");
    expect(unloaded, kernel.describe(since)).toHaveLength(1);
    expect(entriesOf(await kernel.pluginsList(), "moving")).toEqual([expect.objectContaining({ status: "active", path: join(ws.userDir, "after") })]);
  });

  test("a plugin linked into the user path from a development directory reloads when a file in that directory changes", async () => {
    const ws = createWorkspace();
    const devDir = graphPlugin(join(ws.base, "dev", "linked"), "linked");
    symlinkSync(devDir, join(ws.userDir, "linked"), "dir");
    const kernel = await startReadyKernel(ws);
    const first = await kernel.waitForEvent("fixture.ran", (p) => p.id === "linked");
    expect(first.payload.generation).toBe(1);
    const since = kernel.mark();
    writeFileSync(join(devDir, "lib/helper.js"), helperSource("helper-linked-v2"));
    const { ran } = await expectReload(kernel, "linked", 1, since);
    expect(ran.payload.helper).toBe("helper-linked-v2");
  });

  test("start --no-watch loads the plugins but neither reloads them on edits nor applies config edits", async () => {
    const ws = createWorkspace({ config: "[gateway]\nport = 18790\n" });
    const dir = writePlugin(join(ws.userDir, "still"), { id: "still", marker: "w1" });
    const kernel = startKernel(ws, ["--no-watch"]);
    await kernel.ready();
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "still");
    const since = kernel.mark();
    writeFileSync(join(dir, "index.js"), fixtureCode({ id: "still", marker: "w2" }));
    ws.writeConfig("[gateway]\nport = 18791\n");
    installPlugin(ws.staging, ws.userDir, "newcomer", { id: "newcomer" });
    await sleep(1200);
    expect(kernel.eventsSince(since), kernel.describe(since)).toEqual([]);
  });

  test("a debounce_ms below 50 is refused: the watcher cannot promise to see a second save within 50 ms", async () => {
    const ws = createWorkspace({ config: "[extensions]\ndebounce_ms = 10\n" });
    const result = await runCli(ws, ["start", "--no-watch"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/config\.toml:2: extensions\.debounce_ms: /);
  });

  test("with the shortest debounce_ms, an edit made right after a reload finished is still picked up", async () => {
    // A second save of the same file shortly after the first (an editor's format-on-save, a build
    // tool writing twice) must never leave stale code running.
    const ws = createWorkspace({ config: "[extensions]\ndebounce_ms = 50\n" });
    const dir = writePlugin(join(ws.userDir, "quick"), { id: "quick", marker: "r0" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "quick" && p.marker === "r0");
    for (const marker of ["r1", "r2", "r3"]) {
      const since = kernel.mark();
      writeFileSync(join(dir, "index.js"), fixtureCode({ id: "quick", marker }));
      await kernel.waitForEvent("fixture.ran", (p) => p.id === "quick" && p.marker === marker, 5_000, since);
    }
  });

  test("a built plugin reloads for its build output, not for saving its sources, docs, tests, node_modules or .git — and then once, with the new code", async () => {
    // The layout of a scaffolded plugin: the manifest's entry is dist/index.js, sources in src/.
    const ws = createWorkspace();
    const build = (marker: string) => ({
      "dist/index.js": `import { marker } from "./marker.js";
export default {
  async setup(ctx) {
    const { lazy } = await import("./lazy.js");
    ctx.onDispose(() => ctx.events.emit("fixture.disposed", { id: ctx.id, generation: ctx.generation }));
    await ctx.events.emit("fixture.ran", { id: ctx.id, generation: ctx.generation, marker, lazy });
  },
};
`,
      "dist/marker.js": `export const marker = ${JSON.stringify(marker)};\n`,
      "dist/lazy.js": `export const lazy = ${JSON.stringify(`lazy-${marker}`)};\n`,
    });
    const dir = writePlugin(join(ws.userDir, "built"), {
      id: "built",
      entry: "dist/index.js",
      noEntry: true,
      files: { ...build("b1"), "src/index.ts": "export {};\n", "README.md": "# built\n", "node_modules/dep/index.js": "\n", "test/plugin.test.ts": "\n" },
    });
    mkdirSync(join(dir, ".git"));
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "built" && p.marker === "b1" && p.lazy === "lazy-b1");

    const since = kernel.mark();
    writeFileSync(join(dir, "src/index.ts"), "export const edited = true;\n");
    writeFileSync(join(dir, "src/new-module.ts"), "export {};\n");
    writeFileSync(join(dir, "README.md"), "# built, edited\n");
    writeFileSync(join(dir, "test/plugin.test.ts"), "// edited\n");
    writeFileSync(join(dir, "node_modules/dep/index.js"), "// edited\n");
    writeFileSync(join(dir, ".git/HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(dir, "dist/index.js.map"), "{}\n"); // built, but never imported
    await sleep(600); // several debounce periods: a reload would have started
    expect(kernel.eventsSince(since), kernel.describe(since)).toEqual([]);

    // The build writes dist/: one reload, running the new build — a module imported by setup
    // (dynamically) included.
    for (const [file, text] of Object.entries(build("b2"))) writeFileSync(join(dir, file), text);
    const { ran } = await expectReload(kernel, "built", 1, since);
    expect(ran.payload).toMatchObject({ marker: "b2", lazy: "lazy-b2" });
    const lazyOnly = kernel.mark();
    writeFileSync(join(dir, "dist/lazy.js"), `export const lazy = "lazy-b3";\n`);
    const again = await expectReload(kernel, "built", 2, lazyOnly);
    expect(again.ran.payload).toMatchObject({ marker: "b2", lazy: "lazy-b3" });
    // From the first reload on, the loader hooks record the exact module graph: a built module
    // that nothing imports is not a reason to reload either.
    writeFileSync(join(dir, "dist/unused-chunk.js"), "export const unused = 1;\n");
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "built").map((e) => e.payload.generation), kernel.describe(since)).toEqual([2, 3]);
  });

  test("a running plugin with a broken edit on disk is re-examined on any change in its directory (the fix may be a new file)", async () => {
    const ws = createWorkspace();
    const dir = writePlugin(join(ws.userDir, "mend"), { id: "mend", marker: "m1" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "mend" && p.marker === "m1");
    const since = kernel.mark();
    writeFileSync(join(dir, "index.js"), `import { marker } from "./lib/missing.js";\nexport default { async setup(ctx) { await ctx.events.emit("fixture.ran", { id: ctx.id, marker }); } };\n`);
    await kernel.waitForEvent("plugin.failed", (p) => p.id === "mend", 10_000, since);
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib/missing.js"), `export const marker = "m2";\n`);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "mend" && p.marker === "m2", 10_000, since);
    expect(ran.payload.marker).toBe("m2");
  });

  test("a project plugins directory created after the kernel started is watched too", async () => {
    // The project path <cwd>/plugins does not exist when the kernel starts; a user who creates it
    // and drops a plugin in expects it to load like in any other search path.
    const ws = createWorkspace({ createSearchPaths: false });
    const kernel = await startReadyKernel(ws);
    const since = kernel.mark();
    mkdirSync(ws.projectDir);
    writePlugin(join(ws.staging, "late"), { id: "late" });
    copyPlugin(join(ws.staging, "late"), join(ws.projectDir, "late"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "late", 5_000, since);
    expect(loaded.payload.source).toBe("project");
    expect(existsSync(join(ws.projectDir, "late"))).toBe(true);
  });
});
