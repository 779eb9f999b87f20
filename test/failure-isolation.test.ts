/*
 * Failure isolation: every failure code, each with the kernel still running and an unrelated
 * healthy plugin still active. Broken plugins are dropped into the user path while the kernel
 * runs (and, in one test, are all present at boot; in another, listed without a kernel).
 */
import { existsSync, mkdirSync, realpathSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  BUNDLED_IDS,
  createWorkspace,
  entryOf,
  eventually,
  runCliJson,
  sleep,
  startReadyKernel,
  type KernelProcess,
  type PluginInfo,
  type Workspace,
} from "./support/aleph.js";
import { fixtureCode, installPlugin, writePlugin, type PluginSpec } from "./support/plugins.js";

const TIMEOUT_CONFIG = "[extensions]\nsetup_timeout_ms = 300\n";

interface Expected {
  /** The id the failure is reported under. */
  id: string;
  code: string;
  /** Substrings the message must contain. */
  message?: string[];
  /** The file the failure concerns, from the plugin directory. */
  file?: (dir: string) => string;
}

interface FailureCase {
  title: string;
  /** Plugins to install: directory name → spec. */
  plugins: Record<string, PluginSpec>;
  /** Extra preparation (files outside the plugin, symlinks), given the search dir and the plugin's directory before it is installed. */
  prepare?: (ws: Workspace, searchDir: string, pluginDir: string) => void;
  expected: Expected[];
  /** Failures that only plugin code reveals (import, setup, timeout): not visible offline. */
  runtimeOnly?: boolean;
}

const manifestOf = (dir: string) => join(dir, "aleph_plugin.toml");

const cases: FailureCase[] = [
  {
    title: "a malformed TOML manifest is ALEPH_E_MANIFEST",
    plugins: { "bad-toml": { id: "bad-toml", manifest: '[plugin]\nid = "bad-toml\nversion = "1.0.0"\n' } },
    expected: [{ id: "bad-toml", code: "ALEPH_E_MANIFEST", message: ["TOML"], file: manifestOf }],
  },
  {
    title: "an unknown manifest key is ALEPH_E_MANIFEST naming the key",
    plugins: { "unknown-key": { id: "unknown-key", pluginExtra: 'colour = "red"' } },
    expected: [{ id: "unknown-key", code: "ALEPH_E_MANIFEST", message: ["colour"], file: manifestOf }],
  },
  {
    title: "a version that is not semver is ALEPH_E_MANIFEST",
    plugins: { "bad-version": { id: "bad-version", version: "1.0" } },
    expected: [{ id: "bad-version", code: "ALEPH_E_MANIFEST", message: ["version", "semver"], file: manifestOf }],
  },
  {
    title: "an id containing / is ALEPH_E_MANIFEST",
    plugins: { "slash-id": { id: "evil/id" } },
    expected: [{ id: "slash-id", code: "ALEPH_E_MANIFEST", message: ["evil/id"], file: manifestOf }],
  },
  {
    title: "an id containing .. is ALEPH_E_MANIFEST",
    plugins: { "dotdot-id": { id: ".." } },
    expected: [{ id: "dotdot-id", code: "ALEPH_E_MANIFEST", message: [".."], file: manifestOf }],
  },
  {
    title: "an entry outside the plugin directory is ALEPH_E_ENTRY",
    plugins: { "entry-outside": { id: "entry-outside", entry: "../outside.js", noEntry: true } },
    prepare: (_ws, searchDir) => writeFileSync(join(searchDir, "outside.js"), fixtureCode({ id: "entry-outside" })),
    expected: [{ id: "entry-outside", code: "ALEPH_E_ENTRY", message: ["outside"], file: manifestOf }],
  },
  {
    title: "an entry that is a symlink to a file outside the plugin directory is ALEPH_E_ENTRY",
    plugins: { "entry-link": { id: "entry-link", noEntry: true } },
    prepare: (ws, _searchDir, pluginDir) => {
      const outside = join(ws.base, "linked-outside.js");
      writeFileSync(outside, fixtureCode({ id: "entry-link" }));
      symlinkSync(outside, join(pluginDir, "index.js"));
    },
    expected: [{ id: "entry-link", code: "ALEPH_E_ENTRY", message: ["outside"] }],
    runtimeOnly: true,
  },
  {
    title: "a missing entry file is ALEPH_E_ENTRY",
    plugins: { "no-entry": { id: "no-entry", noEntry: true } },
    expected: [{ id: "no-entry", code: "ALEPH_E_ENTRY", message: ["index.js"], file: (dir) => join(dir, "index.js") }],
  },
  {
    title: "an entry without a default export is ALEPH_E_ENTRY",
    plugins: { "no-default": { id: "no-default", code: "export const setup = () => {};\n" } },
    expected: [{ id: "no-default", code: "ALEPH_E_ENTRY", message: ["default export"] }],
    runtimeOnly: true,
  },
  {
    title: "an entry that throws while it is imported is ALEPH_E_IMPORT",
    plugins: { "import-throws": { id: "import-throws", code: 'throw new Error("boom at import");\nexport default { setup() {} };\n' } },
    expected: [{ id: "import-throws", code: "ALEPH_E_IMPORT", message: ["boom at import"], file: (dir) => join(realpathSync(dir), "index.js") }],
    runtimeOnly: true,
  },
  {
    title: "a setup that throws is ALEPH_E_SETUP",
    plugins: { "setup-throws": { id: "setup-throws", code: 'export default { setup() { throw new Error("boom in setup"); } };\n' } },
    expected: [{ id: "setup-throws", code: "ALEPH_E_SETUP", message: ["boom in setup"], file: manifestOf }],
    runtimeOnly: true,
  },
  {
    title: "a setup that never resolves is ALEPH_E_TIMEOUT",
    plugins: { "setup-hangs": { id: "setup-hangs", code: "export default { setup() { return new Promise(() => {}); } };\n" } },
    expected: [{ id: "setup-hangs", code: "ALEPH_E_TIMEOUT", message: ["300"], file: manifestOf }],
    runtimeOnly: true,
  },
  {
    title: "a setup that does not provide a service its manifest lists is ALEPH_E_SETUP",
    plugins: { "forgets-svc": { id: "forgets-svc", provides: ["promised-svc"], code: "export default { setup() {} };\n" } },
    expected: [{ id: "forgets-svc", code: "ALEPH_E_SETUP", message: ["promised-svc"], file: manifestOf }],
    runtimeOnly: true,
  },
  {
    title: "a missing dependency is ALEPH_E_DEPENDENCY naming the service",
    plugins: { "needs-nothing-there": { id: "needs-nothing-there", requires: ["nowhere-svc"] } },
    expected: [{ id: "needs-nothing-there", code: "ALEPH_E_DEPENDENCY", message: ["nowhere-svc"], file: manifestOf }],
  },
  {
    title: "a dependency whose setup fails makes its dependent ALEPH_E_DEPENDENCY naming the failed provider",
    plugins: {
      "dep-broken": { id: "dep-broken", provides: ["broken-svc"], code: 'export default { setup() { throw new Error("provider down"); } };\n' },
      "dep-user": { id: "dep-user", requires: ["broken-svc"] },
    },
    expected: [
      { id: "dep-broken", code: "ALEPH_E_SETUP", message: ["provider down"] },
      { id: "dep-user", code: "ALEPH_E_DEPENDENCY", message: ["broken-svc", "dep-broken"], file: manifestOf },
    ],
    runtimeOnly: true,
  },
  {
    title: "a cycle of three plugins is ALEPH_E_CYCLE for each, naming all three",
    plugins: {
      "cyc-a": { id: "cyc-a", provides: ["svc-a"], requires: ["svc-b"] },
      "cyc-b": { id: "cyc-b", provides: ["svc-b"], requires: ["svc-c"] },
      "cyc-c": { id: "cyc-c", provides: ["svc-c"], requires: ["svc-a"] },
    },
    expected: ["cyc-a", "cyc-b", "cyc-c"].map((id) => ({ id, code: "ALEPH_E_CYCLE", message: ["cyc-a", "cyc-b", "cyc-c"], file: manifestOf })),
  },
  {
    title: "an incompatible api range is ALEPH_E_API",
    plugins: { "future-api": { id: "future-api", api: "^2" } },
    expected: [{ id: "future-api", code: "ALEPH_E_API", message: ["^2", "1.0.0"], file: manifestOf }],
  },
];

const healthy: PluginSpec = { id: "healthy", provides: ["healthy-svc"], marker: "healthy" };

function checkFailure(list: PluginInfo[], ws: Workspace, expected: Expected, context: string, options: { file?: boolean } = {}): void {
  const entry = entryOf(list, expected.id);
  expect(entry.status, `${expected.id} status\n${context}`).toBe("failed");
  expect(entry.running).toBe(false);
  expect(entry.error?.code, `${expected.id}: ${JSON.stringify(entry.error)}`).toBe(expected.code);
  for (const part of expected.message ?? []) expect(entry.error!.message, `${expected.id} message`).toContain(part);
  // Each case names its plugin directories after the id the failure is reported under.
  if (expected.file && options.file !== false) expect(entry.error!.file, `${expected.id} (${expected.code}) names the file it concerns`).toBe(expected.file(join(ws.userDir, expected.id)));
}

async function expectHealthyUntouched(kernel: KernelProcess): Promise<void> {
  expect(kernel.exitInfo, `the kernel is still running\n${kernel.describe()}`).toBeUndefined();
  const status = await kernel.status();
  expect(status.running).toBe(true);
  expect(status.pid).toBe(kernel.kernelPid());
  expect(entryOf(status.plugins, "healthy")).toMatchObject({ status: "active", generation: 1 });
  expect(status.services.find((s: { id: string }) => s.id === "healthy-svc")?.boundTo).toBe("healthy");
  expect(kernel.eventsSince(0, "plugin.unloaded", (p) => p.id === "healthy"), kernel.describe()).toEqual([]);
  const list = await kernel.pluginsList();
  expect(entryOf(list, "healthy")).toMatchObject({ status: "active", generation: 1, running: true });
}

describe("a failing plugin never takes down the kernel or an unrelated plugin", () => {
  for (const c of cases) {
    test(`${c.title}; the kernel keeps running and an unrelated plugin stays active`, async () => {
      const ws = createWorkspace({ config: TIMEOUT_CONFIG });
      writePlugin(join(ws.userDir, "healthy"), healthy);
      const kernel = await startReadyKernel(ws);
      await kernel.waitForEvent("plugin.loaded", (p) => p.id === "healthy");

      const since = kernel.mark();
      for (const [dirName, spec] of Object.entries(c.plugins)) {
        const staged = join(ws.staging, dirName);
        mkdirSync(staged, { recursive: true });
        c.prepare?.(ws, ws.userDir, staged);
        writePlugin(staged, spec);
      }
      for (const dirName of Object.keys(c.plugins)) {
        renameSync(join(ws.staging, dirName), join(ws.userDir, dirName));
      }
      for (const e of c.expected) {
        // The failure settles on the expected message (a dependent may first fail for another reason).
        const parts = e.message ?? [];
        const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === e.id && p.code === e.code && parts.every((part) => p.message.includes(part)), 10_000, since);
        if (e.file) expect(failed.payload.file).toBe(e.file(join(ws.userDir, e.id)));
      }
      // Every expected failure is what the running kernel lists (some settle after a retry).
      await eventually(async () => {
        const list = await kernel.pluginsList();
        for (const e of c.expected) checkFailure(list, ws, e, kernel.describe(since));
      }, 5_000);
      for (const e of c.expected) expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === e.id), `${e.id} never loads`).toEqual([]);
      await expectHealthyUntouched(kernel);
    });
  }

  test("with every broken plugin present at boot, the kernel boots, reports each failure and runs the healthy plugin", async () => {
    const ws = everyBrokenPlugin();
    const kernel = await startReadyKernel(ws);
    const ready = kernel.eventsSince(0, "kernel.ready")[0]!;
    expect(ready.payload.plugins, "only the healthy plugin (and the bundled set) is active").toBe(1 + BUNDLED_IDS.length);
    await eventually(async () => {
      const list = await kernel.pluginsList();
      for (const c of cases) for (const e of c.expected) checkFailure(list, ws, e, kernel.describe());
    }, 5_000);
    await expectHealthyUntouched(kernel);
  });

  /** A workspace with the healthy plugin and every broken plugin of `cases`. */
  function everyBrokenPlugin(): Workspace {
    const ws = createWorkspace({ config: TIMEOUT_CONFIG });
    writePlugin(join(ws.userDir, "healthy"), healthy);
    for (const c of cases) {
      for (const [dirName, spec] of Object.entries(c.plugins)) {
        const dir = join(ws.userDir, dirName);
        mkdirSync(dir, { recursive: true });
        c.prepare?.(ws, ws.userDir, dir);
        writePlugin(dir, spec);
      }
    }
    return ws;
  }

  test("without a kernel, plugins list reports every failure that discovery and validation can see, running no plugin code", async () => {
    const ws = everyBrokenPlugin();
    // A plugin whose import would leave a mark: listing must not import it.
    const marker = join(ws.base, "imported.txt");
    writePlugin(join(ws.userDir, "side-effect"), {
      id: "side-effect",
      code: `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "imported");\nexport default { setup() {} };\n`,
    });
    const list = await runCliJson<PluginInfo[]>(ws, ["plugins", "list", "--json"]);
    for (const c of cases.filter((x) => !x.runtimeOnly)) for (const e of c.expected) checkFailure(list, ws, e, JSON.stringify(list, null, 2), { file: false });
    expect(entryOf(list, "healthy")).toMatchObject({ status: "active", running: false });
    expect(entryOf(list, "side-effect")).toMatchObject({ status: "active", running: false });
    expect(existsSync(marker), "plugins list imported a plugin").toBe(false);
  });

  test("without a kernel, every failure plugins list reports names the file it concerns, as the running kernel does", async () => {
    const ws = everyBrokenPlugin();
    const list = await runCliJson<PluginInfo[]>(ws, ["plugins", "list", "--json"]);
    const missing: string[] = [];
    for (const c of cases.filter((x) => !x.runtimeOnly)) {
      for (const e of c.expected) {
        if (!e.file) continue;
        const entry = entryOf(list, e.id);
        if (entry.error?.file !== e.file(join(ws.userDir, e.id))) missing.push(`${e.id} (${entry.error?.code}): file = ${String(entry.error?.file)}`);
      }
    }
    expect(missing, "offline failures without the file they concern").toEqual([]);
  });
});

describe("a broken edit to a running plugin", () => {
  async function runningPlugin(): Promise<{ ws: Workspace; kernel: KernelProcess; dir: string }> {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "healthy"), healthy);
    const dir = writePlugin(join(ws.userDir, "edited"), { id: "edited", marker: "v1" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "edited" && p.generation === 1);
    return { ws, kernel, dir };
  }

  test("a syntax error in the entry keeps generation 1 running and reports plugin.failed; fixing it loads generation 2 with the fixed code", async () => {
    const { kernel, dir } = await runningPlugin();
    let since = kernel.mark();
    writeFileSync(join(dir, "index.js"), "export default { setup(ctx) { this is not javascript\n");
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "edited", 10_000, since);
    expect(failed.payload.code).toBe("ALEPH_E_IMPORT");
    await sleep(300);
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "edited"), "the running generation is not unloaded").toEqual([]);
    const during = entryOf(await kernel.pluginsList(), "edited");
    expect(during).toMatchObject({ status: "active", generation: 1, running: true });

    since = kernel.mark();
    writeFileSync(join(dir, "index.js"), fixtureCode({ id: "edited", marker: "v2-fixed" }));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "edited", 10_000, since);
    expect(loaded.payload.generation).toBe(2);
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "edited", since);
    expect(unloaded.payload.reason).toBe("reload");
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "edited", 5_000, since);
    expect(ran.payload).toMatchObject({ marker: "v2-fixed", generation: 2 });
    await eventually(async () => {
      const after = entryOf(await kernel.pluginsList(), "edited");
      expect(after).toMatchObject({ status: "active", generation: 2 });
      expect(after.error, "the fixed plugin no longer reports the old failure").toBeUndefined();
    });
    await expectHealthyUntouched(kernel);
  });

  test("a broken manifest edit keeps the running generation and reports ALEPH_E_MANIFEST; fixing it reloads", async () => {
    const { kernel, dir } = await runningPlugin();
    let since = kernel.mark();
    const good = `[plugin]\nid = "edited"\nversion = "1.0.1"\nentry = "index.js"\n`;
    writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "edited"\nversion = "1.0.1\n`);
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "edited", 10_000, since);
    expect(failed.payload.code).toBe("ALEPH_E_MANIFEST");
    await sleep(300);
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "edited")).toEqual([]);
    expect(entryOf(await kernel.pluginsList(), "edited")).toMatchObject({ status: "active", generation: 1, version: "1.0.0" });

    since = kernel.mark();
    writeFileSync(join(dir, "aleph_plugin.toml"), good);
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "edited", 10_000, since);
    expect(loaded.payload).toMatchObject({ generation: 2, version: "1.0.1" });
    await expectHealthyUntouched(kernel);
  });

  test("new code whose setup throws is reported ALEPH_E_SETUP and the previous code is running again", async () => {
    const { kernel, dir } = await runningPlugin();
    const since = kernel.mark();
    writeFileSync(join(dir, "index.js"), 'export default { setup() { throw new Error("v2 is broken"); } };\n');
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "edited", 10_000, since);
    expect(failed.payload).toMatchObject({ code: "ALEPH_E_SETUP" });
    expect(failed.payload.message).toContain("v2 is broken");
    await eventually(async () => {
      const entry = entryOf(await kernel.pluginsList(), "edited");
      expect(entry).toMatchObject({ status: "active", running: true });
    });
    const ran = kernel.eventsSince(0, "fixture.ran", (p) => p.id === "edited").map((e) => e.payload.marker);
    expect(new Set(ran), "only the v1 code ever ran").toEqual(new Set(["v1"]));
    await expectHealthyUntouched(kernel);
  });
});

describe("recovering from a failure", () => {
  test("breaking a cycle by editing one manifest brings all three plugins up", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "cyc-a"), { id: "cyc-a", provides: ["svc-a"], requires: ["svc-b"] });
    writePlugin(join(ws.userDir, "cyc-b"), { id: "cyc-b", provides: ["svc-b"], requires: ["svc-c"] });
    writePlugin(join(ws.userDir, "cyc-c"), { id: "cyc-c", provides: ["svc-c"], requires: ["svc-a"] });
    const kernel = await startReadyKernel(ws);
    for (const id of ["cyc-a", "cyc-b", "cyc-c"]) await kernel.waitForEvent("plugin.failed", (p) => p.id === id && p.code === "ALEPH_E_CYCLE");
    const since = kernel.mark();
    writePlugin(join(ws.userDir, "cyc-c"), { id: "cyc-c", provides: ["svc-c"], optional: ["svc-a"] });
    for (const id of ["cyc-a", "cyc-b", "cyc-c"]) await kernel.waitForEvent("plugin.loaded", (p) => p.id === id, 10_000, since);
    const order = kernel.eventsSince(since, "plugin.loaded").map((e) => e.payload.id);
    expect(order).toEqual(["cyc-c", "cyc-b", "cyc-a"]);
  });

  test("installing the missing provider brings a plugin that failed ALEPH_E_DEPENDENCY up", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "waiting"), { id: "waiting", requires: ["late-svc"] });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("plugin.failed", (p) => p.id === "waiting" && p.code === "ALEPH_E_DEPENDENCY");
    const since = kernel.mark();
    installPlugin(ws.staging, ws.userDir, "late-provider", { id: "late-provider", provides: ["late-svc"] });
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "waiting", 10_000, since);
    expect(ran.payload.bound).toEqual({ "late-svc": "late-provider" });
  });
});

describe("event handler errors", () => {
  test("an error thrown by a plugin's event handler is reported as plugin.error against it and never reaches the emitter", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "healthy"), healthy);
    writePlugin(join(ws.userDir, "thrower"), {
      id: "thrower",
      code: `export default { setup(ctx) { ctx.events.on("fixture.ping", () => { throw new Error("handler exploded"); }); } };\n`,
    });
    const kernel = await startReadyKernel(ws);
    const since = kernel.mark();
    installPlugin(ws.staging, ws.userDir, "emitter", {
      id: "emitter",
      code: `export default {
  async setup(ctx) {
    let threw = false;
    try { await ctx.events.emit("fixture.ping", {}); } catch { threw = true; }
    await ctx.events.emit("fixture.after-ping", { threw });
  },
};
`,
    });
    const error = await kernel.waitForEvent("plugin.error", (p) => p.id === "thrower", 10_000, since);
    expect(error.payload).toMatchObject({ id: "thrower", event: "fixture.ping" });
    expect(error.payload.message).toContain("handler exploded");
    const after = await kernel.waitForEvent("fixture.after-ping", () => true, 5_000, since);
    expect(after.payload.threw).toBe(false);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "emitter", 5_000, since);
    const list = await kernel.pluginsList();
    expect(entryOf(list, "thrower")).toMatchObject({ status: "active" });
    expect(entryOf(list, "emitter")).toMatchObject({ status: "active" });
    await expectHealthyUntouched(kernel);
  });
});
