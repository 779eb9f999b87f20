/*
 * Shadowing: one plugin id in several search paths. The highest-precedence path wins
 * (user > system > project); the others are listed `overridden`, naming who overrides them.
 */
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, entriesOf, eventually, runCliJson, startReadyKernel, type PluginInfo } from "./support/aleph.js";
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
