/*
 * Config hot reload: edits to <root>/config.toml while the kernel runs. A valid edit is applied
 * (config.changed with the changed sections); an invalid one is reported (config.invalid naming
 * file, key path and line) and the last good config stays in force.
 */
import { renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { BUNDLED_IDS, createWorkspace, entryOf, eventually, notBundled, sleep, startReadyKernel, type KernelProcess, type Workspace } from "./support/aleph.js";
import { copyPlugin, installPlugin, writePlugin } from "./support/plugins.js";

const BASE_CONFIG = `# test config
[gateway]
host = "127.0.0.1"
port = 0
rate_limit = 50

[extensions]
debounce_ms = 50
`;

/** The 1-based line of the first line of `text` that starts with `prefix` (after indentation). */
function lineOf(text: string, prefix: string): number {
  const index = text.split("\n").findIndex((l) => l.trimStart().startsWith(prefix));
  if (index < 0) throw new Error(`no line starting with ${prefix}`);
  return index + 1;
}

async function boot(config = BASE_CONFIG): Promise<{ ws: Workspace; kernel: KernelProcess }> {
  const ws = createWorkspace({ config });
  writePlugin(join(ws.userDir, "alpha"), { id: "alpha" });
  const kernel = await startReadyKernel(ws);
  await kernel.waitForEvent("plugin.loaded", (p) => p.id === "alpha");
  return { ws, kernel };
}

describe("config.toml hot reload", () => {
  test("a valid edit emits config.changed naming exactly the changed section, and touches no plugin that does not own it", async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    ws.writeConfig(BASE_CONFIG.replace("rate_limit = 50", "rate_limit = 60"));
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["gateway"] });
    await sleep(300);
    // The gateway owns [gateway] and has no config handler: it alone restarts, with the new limit.
    expect(kernel.eventsSince(since, "plugin.unloaded").map((e) => e.payload), kernel.describe(since)).toEqual([expect.objectContaining({ id: "gateway", reason: "reload" })]);
    expect(kernel.eventsSince(since, "config.changed")).toHaveLength(1);
  });

  test("an edit touching two sections names both", async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    ws.writeConfig(BASE_CONFIG.replace("rate_limit = 50", "rate_limit = 61") + "\n[agent]\nmax_iterations = 7\n");
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect([...changed.payload.sections].sort()).toEqual(["agent", "gateway"]);
  });

  test("an editor-style save (write a temp file, rename it over config.toml) is picked up", async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    const temp = join(dirname(ws.configFile), "config.toml.tmp-save");
    writeFileSync(temp, BASE_CONFIG.replace("rate_limit = 50", "rate_limit = 62"));
    renameSync(temp, ws.configFile);
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["gateway"] });
  });

  test('a wrongly typed value (port = "x") emits config.invalid naming the file, the key path and the line', async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    const bad = BASE_CONFIG.replace("port = 0", 'port = "x"');
    ws.writeConfig(bad);
    const invalid = await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    expect(invalid.payload.file).toBe(ws.configFile);
    expect(invalid.payload.errors).toEqual([expect.objectContaining({ file: ws.configFile, path: "gateway.port", line: lineOf(bad, "port =") })]);
    expect(typeof invalid.payload.errors[0].message).toBe("string");
    expect(kernel.eventsSince(since, "config.changed")).toEqual([]);
  });

  test("an unknown key in [extensions] emits config.invalid naming the key and its line", async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    const bad = BASE_CONFIG.replace("debounce_ms = 50", "debounce_ms = 50\nhot_relaod = false");
    ws.writeConfig(bad);
    const invalid = await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    expect(invalid.payload.file).toBe(ws.configFile);
    expect(invalid.payload.errors).toEqual([expect.objectContaining({ file: ws.configFile, path: "extensions.hot_relaod", line: lineOf(bad, "hot_relaod") })]);
    expect(invalid.payload.errors[0].message).toContain("hot_relaod");
  });

  test("a TOML syntax error emits config.invalid with its line", async () => {
    const { ws, kernel } = await boot();
    const since = kernel.mark();
    const bad = BASE_CONFIG.replace('host = "127.0.0.1"', 'host = "127.0.0.1');
    ws.writeConfig(bad);
    const invalid = await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    expect(invalid.payload.file).toBe(ws.configFile);
    expect(invalid.payload.errors[0]).toMatchObject({ file: ws.configFile });
    expect(invalid.payload.errors[0].line).toBe(lineOf(bad, "host ="));
  });

  test("after an invalid edit the old config stays in force: what it asked for is not applied, and a later valid edit is", async () => {
    const { ws, kernel } = await boot();
    // Invalid as a whole (bad port), though it also disables alpha: nothing of it may apply.
    let since = kernel.mark();
    ws.writeConfig(BASE_CONFIG.replace("port = 0", 'port = "x"').replace("debounce_ms = 50", 'debounce_ms = 50\ndisabled = ["alpha"]'));
    await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    await sleep(700);
    expect(kernel.eventsSince(since, "plugin.unloaded"), "alpha stays loaded under the old config").toEqual([]);
    expect(entryOf(await kernel.pluginsList(), "alpha")).toMatchObject({ status: "active", generation: 1 });

    // The same change, valid: applied against the last good config, which had neither.
    since = kernel.mark();
    ws.writeConfig(BASE_CONFIG.replace("debounce_ms = 50", 'debounce_ms = 50\ndisabled = ["alpha"]'));
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["extensions"] });
    const unloaded = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "alpha", 5_000, since);
    expect(unloaded.payload).toEqual({ id: "alpha", version: "1.0.0", reason: "disabled" });
    await eventually(async () => expect(entryOf(await kernel.pluginsList(), "alpha")).toMatchObject({ status: "disabled", running: false }));

    // Enabling it again loads it again.
    since = kernel.mark();
    ws.writeConfig(BASE_CONFIG);
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("extensions"), 10_000, since);
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "alpha", 5_000, since);
    expect(loaded.payload.generation).toBe(2);
  });

  test("providers.toml is watched too: a valid edit is config.changed [providers], an invalid one config.invalid naming that file", async () => {
    const { ws, kernel } = await boot();
    const providers = join(ws.root, "providers.toml");
    let since = kernel.mark();
    writeFileSync(providers, '[providers.local]\nprotocol = "ollama"\nbase_url = "http://localhost:11434"\n');
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["providers"] });

    since = kernel.mark();
    const bad = '[providers.local]\nprotocol = "ollama"\nbase_url = "not a url"\n';
    writeFileSync(providers, bad);
    const invalid = await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    expect(invalid.payload.file).toBe(providers);
    expect(invalid.payload.errors).toEqual([expect.objectContaining({ file: providers, path: "providers.local.base_url", line: lineOf(bad, "base_url") })]);
  });

  test("a change to a plugin's own section reloads a plugin that has no onConfigChange handler, with the new config", async () => {
    const ws = createWorkspace({ config: BASE_CONFIG + '\n[cfg-plugin]\ngreeting = "hello"\n' });
    writePlugin(join(ws.userDir, "cfg-plugin"), {
      id: "cfg-plugin",
      code: `export default { async setup(ctx) { await ctx.events.emit("fixture.config", { generation: ctx.generation, greeting: ctx.config.greeting }); } };\n`,
    });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.config", (p) => p.greeting === "hello");
    const since = kernel.mark();
    ws.writeConfig(BASE_CONFIG + '\n[cfg-plugin]\ngreeting = "bonjour"\n');
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["cfg-plugin"] });
    const unloaded = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "cfg-plugin", 5_000, since);
    expect(unloaded.payload.reason).toBe("reload");
    const applied = await kernel.waitForEvent("fixture.config", () => true, 5_000, since);
    expect(applied.payload).toEqual({ generation: 2, greeting: "bonjour" });
  });

  test("a plugin's config schema validates its section: an invalid value is config.invalid at its key and line; a valid one is applied in place by onConfigChange", async () => {
    const ws = createWorkspace({ config: BASE_CONFIG });
    // The hello-node example as a third party would install it: its built directory copied in.
    const example = join(dirname(fileURLToPath(import.meta.url)), "node_modules/@aleph/example-hello-node");
    const dir = join(ws.userDir, "hello-node");
    copyPlugin(join(example, "aleph_plugin.toml"), join(dir, "aleph_plugin.toml"));
    copyPlugin(join(example, "dist"), join(dir, "dist"));
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "hello-node");

    let since = kernel.mark();
    const bad = BASE_CONFIG + '\n[hello]\npunctuation = "!!!!!"\n';
    ws.writeConfig(bad);
    const invalid = await kernel.waitForEvent("config.invalid", () => true, 10_000, since);
    expect(invalid.payload.errors).toEqual([expect.objectContaining({ file: ws.configFile, path: "hello.punctuation", line: lineOf(bad, "punctuation") })]);

    since = kernel.mark();
    ws.writeConfig(BASE_CONFIG + '\n[hello]\ngreeting = "Hi"\n');
    const changed = await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    expect(changed.payload).toEqual({ sections: ["hello"] });
    await sleep(300);
    expect(kernel.eventsSince(since, "plugin.unloaded"), "applied in place, not reloaded").toEqual([]);
    expect(entryOf(await kernel.pluginsList(), "hello-node")).toMatchObject({ status: "active", generation: 1 });
  });

  test("[extensions] enabled = false loads no third-party plugin; turning it on while running loads them", async () => {
    const ws = createWorkspace({ config: "[extensions]\nenabled = false\n" });
    writePlugin(join(ws.userDir, "alpha"), { id: "alpha" });
    const kernel = await startReadyKernel(ws);
    // Only the bundled set loads.
    expect(kernel.eventsSince(0, "kernel.ready")[0]!.payload.plugins).toBe(BUNDLED_IDS.length);
    expect(kernel.eventsSince(0, "plugin.loaded", (p) => notBundled(p.id))).toEqual([]);
    const since = kernel.mark();
    ws.writeConfig("[extensions]\nenabled = true\n");
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("extensions"), 10_000, since);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "alpha", 5_000, since);
  });

  test("[extensions] hot_reload = false applied while running stops loading new plugin directories", async () => {
    const { ws, kernel } = await boot();
    let since = kernel.mark();
    ws.writeConfig(BASE_CONFIG.replace("debounce_ms = 50", "debounce_ms = 50\nhot_reload = false"));
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("extensions"), 10_000, since);
    // config.changed goes out once the host has applied the change (applying it rescans the search
    // paths once); the pause lets the stopped watcher's last events drain.
    await sleep(500);
    since = kernel.mark();
    installPlugin(ws.staging, ws.userDir, "late", { id: "late" });
    await sleep(1000);
    expect(kernel.eventsSince(since, "plugin.loaded"), kernel.describe(since)).toEqual([]);

    // Turned back on, the watcher starts again (and new directories load).
    since = kernel.mark();
    ws.writeConfig(BASE_CONFIG);
    await kernel.waitForEvent("config.changed", () => true, 10_000, since);
    installPlugin(ws.staging, ws.userDir, "later", { id: "later" });
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "later", 10_000, since);
  });
});
