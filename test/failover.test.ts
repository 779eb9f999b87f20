/*
 * Services, priority and fail-over: among several providers of one service the highest
 * `priority` is bound; when it leaves, the next takes over and the dependents are reloaded
 * against it; when none is left the dependents unload (reason "dependency") and come back with
 * a provider.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, notBundled, entryOf, eventually, runCliJson, startReadyKernel, type KernelProcess, type Workspace } from "./support/aleph.js";
import { fixtureCode, installPlugin, writePlugin, type PluginSpec } from "./support/plugins.js";

// The ids and the search paths both favour the low-priority provider (id order, user path over
// project path), so only `priority` can make the high one win.
const low: PluginSpec = { id: "aaa-low", priority: 1, provides: ["svc"] };
const high: PluginSpec = { id: "zzz-high", priority: 10, provides: ["svc"] };
const consumer: PluginSpec = { id: "consumer", requires: ["svc"] };

/** The provider the consumer got in its latest setup (from fixture.ran's `bound`). */
function latestBinding(kernel: KernelProcess): string | undefined {
  const ran = kernel.eventsSince(0, "fixture.ran", (p) => p.id === "consumer");
  return ran.at(-1)?.payload.bound.svc;
}

async function boundTo(kernel: KernelProcess): Promise<string> {
  const status = await kernel.status();
  return status.services.find((s: { id: string }) => s.id === "svc")?.boundTo;
}

async function bootAll(): Promise<{ ws: Workspace; kernel: KernelProcess }> {
  const ws = createWorkspace();
  writePlugin(join(ws.userDir, "aaa-low"), low);
  writePlugin(join(ws.projectDir, "zzz-high"), high);
  writePlugin(join(ws.userDir, "consumer"), consumer);
  const kernel = await startReadyKernel(ws);
  return { ws, kernel };
}

describe("service priority and fail-over", () => {
  test("of two providers of one service the one with the higher priority is bound, even against id order and search-path precedence", async () => {
    const { kernel } = await bootAll();
    await eventually(() => expect(latestBinding(kernel), kernel.describe()).toBe("zzz-high"));
    expect(await boundTo(kernel)).toBe("zzz-high");
    // Loaded after both providers (topological order), so bound once, with no reload at boot.
    expect(kernel.eventsSince(0, "plugin.loaded", (p) => p.id === "consumer").map((e) => e.payload.generation)).toEqual([1]);
    const status = await kernel.status();
    const svc = status.services.find((s: { id: string }) => s.id === "svc");
    expect(svc.providers.map((p: { plugin: string }) => p.plugin)).toEqual(["zzz-high", "aaa-low"]);
    const inspect = await runCliJson(kernel.ws, ["plugins", "inspect", "consumer", "--json"]);
    expect(inspect).toMatchObject({ id: "consumer", status: "active", servicesBound: { svc: "zzz-high" } });
  });

  test("removing the bound provider fails over to the other one and reloads the dependent against it", async () => {
    const { ws, kernel } = await bootAll();
    await eventually(() => expect(latestBinding(kernel)).toBe("zzz-high"));
    const generation = kernel.eventsSince(0, "plugin.loaded", (p) => p.id === "consumer").at(-1)!.payload.generation as number;

    const since = kernel.mark();
    rmSync(join(ws.projectDir, "zzz-high"), { recursive: true, force: true });
    const gone = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "zzz-high", 10_000, since);
    expect(gone.payload.reason).toBe("removed");
    const reloaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "consumer", 10_000, since);
    expect(reloaded.payload.generation).toBe(generation + 1);
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "consumer", since);
    expect(unloaded.payload.reason).toBe("reload");
    expect(unloaded.index, "the dependent is unloaded before its provider").toBeLessThan(gone.index);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "consumer", 5_000, since);
    expect(ran.payload.bound).toEqual({ svc: "aaa-low" });
    expect(await boundTo(kernel)).toBe("aaa-low");
    // The provider that stayed was not touched.
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "aaa-low")).toEqual([]);
  });

  test("removing the last provider unloads the dependent with reason dependency and reports it failed; a provider coming back brings it up", async () => {
    const { ws, kernel } = await bootAll();
    await eventually(() => expect(latestBinding(kernel)).toBe("zzz-high"));
    rmSync(join(ws.projectDir, "zzz-high"), { recursive: true, force: true });
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "consumer" && p.bound.svc === "aaa-low", 10_000);

    let since = kernel.mark();
    rmSync(join(ws.userDir, "aaa-low"), { recursive: true, force: true });
    const lowGone = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "aaa-low", 10_000, since);
    expect(lowGone.payload.reason).toBe("removed");
    const consumerGone = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "consumer", 5_000, since);
    expect(consumerGone.payload.reason).toBe("dependency");
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "consumer", 5_000, since);
    expect(failed.payload.code).toBe("ALEPH_E_DEPENDENCY");
    expect(failed.payload.message).toContain("svc");

    const list = await kernel.pluginsList();
    const entry = entryOf(list, "consumer");
    expect(entry).toMatchObject({ status: "failed", running: false, error: { code: "ALEPH_E_DEPENDENCY" } });
    expect(entry.generation).toBeUndefined();
    expect((await kernel.status()).services.find((s: { id: string }) => s.id === "svc")).toBeUndefined();

    since = kernel.mark();
    installPlugin(ws.staging, ws.projectDir, "zzz-high", high);
    const back = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "consumer", 10_000, since);
    const providerBack = kernel.seen("plugin.loaded", (p) => p.id === "zzz-high", since);
    expect(providerBack.index).toBeLessThan(back.index);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "consumer", 5_000, since);
    expect(ran.payload.bound).toEqual({ svc: "zzz-high" });
    await eventually(async () => {
      const after = entryOf(await kernel.pluginsList(), "consumer");
      expect(after).toMatchObject({ status: "active", running: true });
      expect(after.error).toBeUndefined();
    });
  });

  test("a higher-priority provider arriving while the dependent runs takes over, and the dependent is reloaded against it", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "aaa-low"), low);
    writePlugin(join(ws.userDir, "consumer"), consumer);
    const kernel = await startReadyKernel(ws);
    await eventually(() => expect(latestBinding(kernel)).toBe("aaa-low"));

    const since = kernel.mark();
    installPlugin(ws.staging, ws.projectDir, "zzz-high", high);
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "consumer", 10_000, since);
    expect(ran.payload.bound).toEqual({ svc: "zzz-high" });
    const unloaded = kernel.seen("plugin.unloaded", (p) => p.id === "consumer", since);
    expect(unloaded.payload.reason).toBe("reload");
    expect(await boundTo(kernel)).toBe("zzz-high");
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => p.id === "aaa-low")).toEqual([]);
  });

  test("with equal priorities, the provider from the stronger search path is bound, and within one path the smaller id", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.projectDir, "aaa-project"), { id: "aaa-project", provides: ["svc"] });
    writePlugin(join(ws.systemDir, "zzz-system"), { id: "zzz-system", provides: ["svc"] });
    writePlugin(join(ws.userDir, "mmm-user"), { id: "mmm-user", provides: ["other"] });
    writePlugin(join(ws.userDir, "bbb-user"), { id: "bbb-user", provides: ["other"] });
    const kernel = await startReadyKernel(ws);
    const status = await kernel.status();
    const bound = Object.fromEntries(status.services.filter((s: { boundTo: string }) => notBundled(s.boundTo)).map((s: { id: string; boundTo: string }) => [s.id, s.boundTo]));
    expect(bound).toEqual({ svc: "zzz-system", other: "bbb-user" });
  });

  test("reloading the bound provider reloads its dependent after it, against the new generation", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "aaa-low"), { ...low, marker: "p1" });
    writePlugin(join(ws.userDir, "consumer"), consumer);
    const kernel = await startReadyKernel(ws);
    await eventually(() => expect(latestBinding(kernel)).toBe("aaa-low"));
    const since = kernel.mark();
    writeFileSync(join(ws.userDir, "aaa-low", "index.js"), fixtureCode({ ...low, marker: "p2" }));
    const consumerBack = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "consumer" && p.generation === 2, 10_000, since);
    const providerBack = kernel.seen("plugin.loaded", (p) => p.id === "aaa-low" && p.generation === 2, since);
    expect(providerBack.index).toBeLessThan(consumerBack.index);
    const unloads = kernel.eventsSince(since, "plugin.unloaded").map((e) => [e.payload.id, e.payload.reason]);
    expect(unloads, "the dependent stops first, both for reload").toEqual([
      ["consumer", "reload"],
      ["aaa-low", "reload"],
    ]);
    kernel.seen("fixture.ran", (p) => p.id === "aaa-low" && p.marker === "p2", since);
  });

  test("disabling the only provider in config unloads the dependent (reason dependency) with an error naming the disabled provider; enabling it brings both back", async () => {
    const ws = createWorkspace({ config: "[extensions]\ndisabled = []\n" });
    writePlugin(join(ws.userDir, "aaa-low"), low);
    writePlugin(join(ws.userDir, "consumer"), consumer);
    const kernel = await startReadyKernel(ws);
    let since = kernel.mark();
    ws.writeConfig('[extensions]\ndisabled = ["aaa-low"]\n');
    const consumerGone = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "consumer", 10_000, since);
    expect(consumerGone.payload.reason).toBe("dependency");
    const providerGone = await kernel.waitForEvent("plugin.unloaded", (p) => p.id === "aaa-low", 5_000, since);
    expect(providerGone.payload.reason).toBe("disabled");
    await eventually(async () => {
      const entry = entryOf(await kernel.pluginsList(), "consumer");
      expect(entry).toMatchObject({ status: "failed", error: { code: "ALEPH_E_DEPENDENCY" } });
      expect(entry.error!.message).toContain("aaa-low");
    });

    since = kernel.mark();
    ws.writeConfig("[extensions]\ndisabled = []\n");
    const ran = await kernel.waitForEvent("fixture.ran", (p) => p.id === "consumer", 10_000, since);
    expect(ran.payload.bound).toEqual({ svc: "aaa-low" });
  });
});
