/*
 * Shadowing: one plugin id in several search paths. The highest-precedence path wins
 * (user > system > project); the others are listed `overridden`, naming who overrides them.
 * A stronger copy that cannot run (manifest, api, entry) does not take the id down: the next
 * copy runs, and the failed one is reported (plugin.shadow_failed) and listed failed.
 */
import { cpSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createWorkspace, entriesOf, entryOf, eventually, runCli, runCliJson, startReadyKernel, type PluginInfo } from "./support/aleph.js";
import { installPlugin, writePlugin } from "./support/plugins.js";

describe("shadowing across search paths", () => {
  test("with the same id in the user and project paths, the user plugin runs and the project one is listed overridden by it", async () => {
    const ws = createWorkspace();
    const userDir = writePlugin(join(ws.userDir, "shadow"), { id: "shadow", version: "2.0.0", marker: "from-user" });
    const projectDir = writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", version: "1.0.0", marker: "from-project" });
    const kernel = await startReadyKernel(ws);

    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "shadow");
    expect(loaded.payload).toMatchObject({ source: "user", path: userDir, version: "2.0.0", generation: 1 });
    const ran = kernel.eventsSince(0, "fixture.ran", (p) => p.id === "shadow");
    expect(ran.map((e) => e.payload.marker), kernel.describe()).toEqual(["from-user"]);

    const list = await kernel.pluginsList();
    const entries = entriesOf(list, "shadow");
    expect(entries).toHaveLength(2);
    expect(entries.find((p) => p.source === "user")).toMatchObject({ status: "active", path: userDir, version: "2.0.0", generation: 1, running: true });
    const overridden = entries.find((p) => p.source === "project") as PluginInfo;
    expect(overridden).toMatchObject({ status: "overridden", path: projectDir, version: "1.0.0", running: false, overriddenBy: { source: "user", path: userDir } });
    expect(overridden.generation).toBeUndefined();
  });

  test("removing the user copy of a shadowed plugin brings the project copy up", async () => {
    const ws = createWorkspace();
    const userDir = writePlugin(join(ws.userDir, "shadow"), { id: "shadow", marker: "from-user" });
    const projectDir = writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", marker: "from-project" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow" && p.marker === "from-user");

    const since = kernel.mark();
    rmSync(userDir, { recursive: true, force: true });
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "shadow", 10_000, since);
    expect(loaded.payload).toMatchObject({ source: "project", path: projectDir });
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "shadow", since);
    expect(unloaded.index, "the user copy is unloaded before the project copy loads").toBeLessThan(loaded.index);
    expect(["removed", "reload"]).toContain(unloaded.payload.reason);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow", 5_000, since);
    expect(ran.payload.marker).toBe("from-project");

    const list = await kernel.pluginsList();
    expect(entriesOf(list, "shadow")).toEqual([expect.objectContaining({ source: "project", status: "active", path: projectDir, running: true })]);
  });

  test("adding a user copy of a running project plugin takes over, and the project copy becomes overridden", async () => {
    const ws = createWorkspace();
    const projectDir = writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", marker: "from-project" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow" && p.marker === "from-project");

    const since = kernel.mark();
    const userDir = installPlugin(ws.staging, ws.userDir, "shadow", { id: "shadow", marker: "from-user" });
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "shadow" && p.source === "user", 10_000, since);
    expect(loaded.payload.path).toBe(userDir);
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "shadow", since);
    expect(unloaded.index).toBeLessThan(loaded.index);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow", 5_000, since);
    expect(ran.payload.marker).toBe("from-user");

    const list = await kernel.pluginsList();
    expect(entriesOf(list, "shadow").find((p) => p.source === "project")).toMatchObject({
      status: "overridden",
      path: projectDir,
      overriddenBy: { source: "user", path: userDir },
    });
  });

  test("the system path shadows the project path, and without a kernel the offline list reports the same", async () => {
    const ws = createWorkspace();
    const systemDir = writePlugin(join(ws.systemDir, "shadow"), { id: "shadow", marker: "from-system" });
    const projectDir = writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", marker: "from-project" });

    const offline = await runCliJson<PluginInfo[]>(ws, ["plugins", "list", "--json"]);
    expect(entriesOf(offline, "shadow")).toEqual([
      expect.objectContaining({ source: "system", status: "active", path: systemDir, running: false }),
      expect.objectContaining({ source: "project", status: "overridden", path: projectDir, overriddenBy: { source: "system", path: systemDir } }),
    ]);

    const kernel = await startReadyKernel(ws);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow");
    expect(ran.payload.marker).toBe("from-system");
    await eventually(async () => {
      const list = await kernel.pluginsList();
      expect(entriesOf(list, "shadow")).toEqual([
        expect.objectContaining({ source: "system", status: "active", running: true }),
        expect.objectContaining({ source: "project", status: "overridden", overriddenBy: { source: "system", path: systemDir } }),
      ]);
    });
  });

  test("a directory reachable from two search paths (a symlink) counts once, in the stronger path, and is not overridden by itself", async () => {
    const ws = createWorkspace();
    const projectDir = writePlugin(join(ws.projectDir, "dup"), { id: "dup" });
    symlinkSync(projectDir, join(ws.userDir, "dup"), "dir");
    const kernel = await startReadyKernel(ws);
    const loaded = kernel.eventsSince(0, "plugin.loaded", (p) => p.id === "dup");
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.payload.source).toBe("user");
    const list = await kernel.pluginsList();
    expect(entriesOf(list, "dup")).toEqual([expect.objectContaining({ source: "user", status: "active" })]);
  });

  test("two directories with one id in the same path: the first by name runs, the other is reported ALEPH_E_DUPLICATE; removing the first brings up the second", async () => {
    const ws = createWorkspace();
    const first = writePlugin(join(ws.userDir, "a-twin"), { id: "twin", marker: "a" });
    const second = writePlugin(join(ws.userDir, "b-twin"), { id: "twin", marker: "b" });
    const kernel = await startReadyKernel(ws);
    expect(kernel.eventsSince(0, "fixture.ran", (p) => p.id === "twin").map((e) => e.payload.marker)).toEqual(["a"]);
    const list = await kernel.pluginsList();
    expect(entriesOf(list, "twin")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: first, status: "active" }),
        expect.objectContaining({ path: second, status: "failed", error: expect.objectContaining({ code: "ALEPH_E_DUPLICATE" }) }),
      ]),
    );
    const since = kernel.mark();
    rmSync(first, { recursive: true });
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "twin", 10_000, since);
    expect(ran.payload.marker).toBe("b");
    await eventually(async () => expect(entriesOf(await kernel.pluginsList(), "twin")).toEqual([expect.objectContaining({ path: second, status: "active" })]));
  });
});

const repo = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const BUNDLED = ["chat", "sessions", "tools", "workspace"];

/** A checkout of the bundled plugins' sources in ./plugins, never built (no dist/). */
function unbuiltCheckout(projectDir: string): void {
  for (const id of BUNDLED) {
    const to = join(projectDir, id);
    mkdirSync(to, { recursive: true });
    for (const name of ["aleph_plugin.toml", "package.json", "src"]) cpSync(join(repo, "plugins", id, name), join(to, name), { recursive: true });
  }
}

/** What the listing says about each copy, without the live-only fields. */
const comparable = (list: PluginInfo[]) => list.map(({ id, source, path, status, error, overriddenBy, runningInstead }) => ({ id, source, path, status, code: error?.code, overriddenBy, runningInstead }));

describe("a stronger copy that cannot run", () => {
  test("an unbuilt checkout of the bundled plugins in ./plugins: the bundled copies run, each project copy is listed failed with the copy running instead, offline and live alike", async () => {
    const ws = createWorkspace();
    unbuiltCheckout(ws.projectDir);
    const offline = await runCliJson<PluginInfo[]>(ws, ["plugins", "list", "--json"]);
    for (const id of BUNDLED) {
      const [failed, running] = entriesOf(offline, id);
      expect(failed).toMatchObject({ source: "project", status: "failed", path: join(ws.projectDir, id), error: expect.objectContaining({ code: "ALEPH_E_ENTRY" }) });
      expect(running).toMatchObject({ source: "bundled", status: "active" });
      expect(failed!.runningInstead).toEqual({ source: "bundled", path: running!.path });
      expect(entryOf(offline, id)).toBe(running);
    }
    const human = await runCli(ws, ["plugins", "list"]);
    expect(human.stdout).toMatch(/sessions +1\.0\.0 +node +project +failed +ALEPH_E_ENTRY: .*running the bundled copy instead/);

    // Without a kernel, a command runs on a one-shot kernel: the bundled sessions copy serves it.
    const appended = await runCli(ws, ["sessions", "append", "agent:main:main", "--role", "user", "--content", "hello"]);
    expect(appended.code, appended.stderr).toBe(0);

    const kernel = await startReadyKernel(ws);
    const shadow = kernel.seen("plugin.shadow_failed", (p) => p.id === "sessions");
    expect(shadow.payload).toEqual({
      id: "sessions",
      failed: { source: "project", path: join(ws.projectDir, "sessions"), code: "ALEPH_E_ENTRY", message: expect.stringMatching(/dist\/index\.js.*does not exist.*Fix: build the plugin/) },
      running: { source: "bundled", path: entryOf(offline, "sessions").path },
    });
    const loaded = kernel.seen("plugin.loaded", (p) => p.id === "sessions");
    expect(loaded.payload.source).toBe("bundled");
    expect(kernel.eventsSince(0, "plugin.failed"), kernel.describe()).toEqual([]);
    const live = await kernel.pluginsList();
    expect(comparable(live)).toEqual(comparable(offline));
    const status = await runCli(ws, ["status"]);
    expect(status.stdout).toMatch(/sessions +1\.0\.0 +project +failed +ALEPH_E_ENTRY: .*running the bundled copy instead/);
    const shown = await runCli(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("hello");
  });

  test("a user copy with a broken manifest or an api this host lacks leaves the project copy running; fixing it hands the id over", async () => {
    const ws = createWorkspace();
    const userDir = writePlugin(join(ws.userDir, "shadow"), { id: "shadow", api: "^7", marker: "from-user" });
    const broken = writePlugin(join(ws.systemDir, "shadow"), { id: "shadow", pluginExtra: "colour = 'red'", marker: "from-system" });
    const projectDir = writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", marker: "from-project" });
    const kernel = await startReadyKernel(ws);
    expect(kernel.eventsSince(0, "fixture.ran", (p) => p.id === "shadow").map((e) => e.payload.marker)).toEqual(["from-project"]);
    const reported = kernel.eventsSince(0, "plugin.shadow_failed", (p) => p.id === "shadow").map((e) => [e.payload.failed.source, e.payload.failed.code, e.payload.running.source]);
    expect(reported).toEqual([
      ["user", "ALEPH_E_API", "project"],
      ["system", "ALEPH_E_MANIFEST", "project"],
    ]);
    expect(entriesOf(await kernel.pluginsList(), "shadow")).toEqual([
      expect.objectContaining({ source: "user", status: "failed", runningInstead: { source: "project", path: projectDir } }),
      expect.objectContaining({ source: "system", status: "failed", path: broken, runningInstead: { source: "project", path: projectDir } }),
      expect.objectContaining({ source: "project", status: "active", running: true }),
    ]);

    const since = kernel.mark();
    writePlugin(userDir, { id: "shadow", marker: "from-user" });
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "shadow" && p.source === "user", 10_000, since);
    expect(kernel.seen("plugin.unloaded", (p) => p.id === "shadow", since).index).toBeLessThan(loaded.index);
    expect((await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow", 5_000, since)).payload.marker).toBe("from-user");
    await eventually(async () =>
      expect(entriesOf(await kernel.pluginsList(), "shadow")).toEqual([
        expect.objectContaining({ source: "user", status: "active" }),
        expect.objectContaining({ source: "system", status: "overridden", overriddenBy: { source: "user", path: userDir } }),
        expect.objectContaining({ source: "project", status: "overridden", overriddenBy: { source: "user", path: userDir } }),
      ]),
    );
  });

  test("the copy that runs keeps running through a broken edit of its own files (no switch to a weaker copy)", async () => {
    const ws = createWorkspace();
    const userDir = writePlugin(join(ws.userDir, "shadow"), { id: "shadow", marker: "from-user" });
    writePlugin(join(ws.projectDir, "shadow"), { id: "shadow", marker: "from-project" });
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "shadow" && p.marker === "from-user");
    const since = kernel.mark();
    rmSync(join(userDir, "index.js"));
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "shadow", 10_000, since);
    expect(failed.payload.code).toBe("ALEPH_E_ENTRY");
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "shadow"), kernel.describe(since)).toEqual([]);
    expect(kernel.eventsSince(since, "plugin.shadow_failed"), kernel.describe(since)).toEqual([]);
    expect(entryOf(await kernel.pluginsList(), "shadow")).toMatchObject({ source: "user", status: "active", generation: 1, error: expect.objectContaining({ code: "ALEPH_E_ENTRY" }) });
  });
});
