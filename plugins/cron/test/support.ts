/*
 * The cron plugin in a real kernel (the test kit) with the real sessions, providers, chat and agent
 * plugins, a scripted fake model on 127.0.0.1, and a manual clock: a test says what time it is and
 * the scheduler does what that time calls for.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { createTestKernel, startFakeModelServer, type FakeModelServer, type FakeTurn, type TestKernel, type TestPlugin } from "@aleph/testing";
import { createCronPlugin, type CronPluginOptions } from "../src/plugin.js";
import { cronRef, type CronRunEvent, type CronRunRecord, type CronService } from "../src/service.js";
import { ManualClock } from "./manual-clock.js";

const here = dirname(fileURLToPath(import.meta.url));
export const cronDir = join(here, "..");
export const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));

/** The manifest of aleph_plugin.toml, for the plugin given in memory (manifest.test.ts holds them together). */
export const cronManifest = { plugin: { id: "cron", version: "1.0.0", config_key: "cron" }, services: { provides: ["cron"], optional: ["agent", "chat"] } };

/** The plugin from its sources, on `clock`, loading its engine from src/runtime.ts. */
export function cronPlugin(clock: ManualClock, options: CronPluginOptions = {}): TestPlugin {
  return { manifest: cronManifest, definition: createCronPlugin({ clock, runtime: () => import("../src/runtime.js"), ...options }) };
}

/** The plugins a run needs, in front of cron. */
export const agentPlugins = (): TestPlugin[] => [pluginDir("sessions"), pluginDir("providers"), pluginDir("chat"), pluginDir("agent")];

export interface World {
  root: string;
  model: FakeModelServer;
  clock: ManualClock;
  kernel: TestKernel;
  cron: CronService;
}

const roots: string[] = [];
const models: FakeModelServer[] = [];
const kernels: TestKernel[] = [];

/** Stops every kernel and model a test started and removes its roots (afterEach). */
export async function cleanUp(): Promise<void> {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
  await Promise.all(models.splice(0).map((m) => m.close()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** A state root with providers.toml pointing at a fake model answering `turns`. */
export async function newRoot(turns: FakeTurn[]): Promise<{ root: string; model: FakeModelServer }> {
  const model = await startFakeModelServer(turns);
  models.push(model);
  const root = mkdtempSync(join(tmpdir(), "aleph-cron-"));
  roots.push(root);
  writeFileSync(join(root, "providers.toml"), `[providers.fake]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${model.baseUrls.openai}"\nmax_retries = 0\n`, { mode: 0o600 });
  return { root, model };
}

/** Starts a kernel on `root` with the agent's plugins and cron on `clock`. */
export async function startKernel(root: string, clock: ManualClock, config: Record<string, unknown>, options: CronPluginOptions = {}): Promise<TestKernel> {
  const kernel = await createTestKernel({ root, config, plugins: [...agentPlugins(), cronPlugin(clock, options)] });
  kernels.push(kernel);
  return kernel;
}

/** A fresh world: root, model, clock at `start`, kernel with `jobs`; waits until the jobs are timed. */
export async function world(start: string, jobs: Record<string, unknown>[], turns: FakeTurn[]): Promise<World> {
  const { root, model } = await newRoot(turns);
  const clock = new ManualClock(start);
  const kernel = await startKernel(root, clock, { cron: { jobs } });
  await timed(clock, jobs.filter((job) => job.enabled !== false).length);
  return { root, model, clock, kernel, cron: kernel.service(cronRef)! };
}

/** Waits until `count` timers are armed (the schedule starts once the kernel is ready, in the background). */
export async function timed(clock: ManualClock, count: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (clock.pending().length < count) throw new Error(`${clock.pending().length} of ${count} jobs timed`);
    },
    { timeout: 10_000, interval: 10 },
  );
}

/** Every event of a manual run. */
export async function runNow(cron: CronService, job: string): Promise<CronRunEvent[]> {
  const events: CronRunEvent[] = [];
  for await (const event of cron.runNow(job)) events.push(event);
  return events;
}

/** The record a manual run ended with (its last event). */
export function recordOf(events: CronRunEvent[]): CronRunRecord {
  const last = events.at(-1);
  if (last?.type !== "run.finished") throw new Error(`the run did not end with run.finished: ${JSON.stringify(last)}`);
  return last.record;
}

export const at = (iso: string) => Date.parse(iso);
