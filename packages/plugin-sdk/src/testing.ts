import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { PluginDefinition } from "./define-plugin.js";
import type { PluginInfo } from "./manifest.js";
import { serviceIdOf, type ServiceRef } from "./service-ref.js";
import { VAULT_KDF_TEST_COST_ENV } from "./vault.js";

/*
 * The test kit: a real, in-process kernel on a temporary state root, for plugin authors' own
 * tests. It runs the same code as `aleph start` (it imports @aleph/kernel, which a plugin
 * project installs as a dev dependency), with file watching off and nothing read from the
 * user's ~/.config/aleph or the system and project search paths.
 */

/** A plugin for the test kernel: a plugin directory, or a manifest and definition in memory. */
export type TestPlugin = string | { manifest: Record<string, unknown>; definition: PluginDefinition<any> };

export interface TestKernelOptions {
  plugins?: TestPlugin[];
  /** config.toml: TOML text, or an object written as TOML. */
  config?: string | Record<string, unknown>;
  /** State root to use (kept afterwards); by default a temp directory removed by stop(). */
  root?: string;
  /** Environment seen by the kernel (ALEPH_* overrides, ${VAR} references); default {}. */
  env?: Record<string, string>;
}

export interface RecordedEvent {
  event: string;
  payload: any;
}

export interface TestKernel {
  readonly root: string;
  /** Every event emitted since the kernel was created, in order. */
  readonly events: RecordedEvent[];
  /** The implementation bound to a service, or undefined when none is active. */
  service<T>(ref: ServiceRef<T> | string): T | undefined;
  emit(event: string, payload: unknown): Promise<void>;
  /** Resolves with the payload of the first matching event (past or future). */
  waitFor(event: string, predicate?: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
  plugins(): PluginInfo[];
  plugin(id: string): PluginInfo | undefined;
  /** Reloads a plugin with fresh code, as a file change would. */
  reload(id: string): Promise<void>;
  /** Re-reads config.toml after you rewrite it (see writeConfig). */
  writeConfig(config: string | Record<string, unknown>): Promise<{ applied: boolean; sections: string[] }>;
  /** Count of event subscriptions held by plugins (to check nothing leaks across reloads). */
  listenerCount(): number;
  /** The underlying @aleph/kernel Kernel, for what this facade does not cover. */
  readonly kernel: any;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Imports an optional package from beside this SDK or from the project under test; undefined when absent. */
async function importBeside(specifier: string): Promise<any> {
  try {
    return await import(specifier);
  } catch {
    try {
      return await import(pathToFileURL(createRequire(join(process.cwd(), "package.json")).resolve(specifier)).href);
    } catch {
      return undefined;
    }
  }
}

/**
 * Finds @aleph/kernel: next to this SDK (npm hoists them side by side), else in the project
 * under test (the working directory). A variable specifier keeps the SDK free of a build-time
 * dependency on the kernel, which depends on the SDK.
 */
async function importKernel(): Promise<any> {
  const specifier = "@aleph/kernel";
  try {
    return await import(specifier);
  } catch {
    try {
      const fromProject = createRequire(join(process.cwd(), "package.json")).resolve(specifier);
      return await import(pathToFileURL(fromProject).href);
    } catch (error) {
      throw new Error(
        `the test kit runs the real kernel: install it as a dev dependency (npm install -D @aleph/kernel). (${(error as Error).message})`,
      );
    }
  }
}

/** Starts a kernel with the given plugins on a temp root; stop() tears it all down. */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const kernelModule = await importKernel();
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "aleph-test-")));
  const ownRoot = options.root === undefined;
  const configText = (config: string | Record<string, unknown>) => (typeof config === "string" ? config : kernelModule.stringifyToml(config));
  if (options.config !== undefined) await writeFile(join(root, "config.toml"), configText(options.config));
  const env = { ...options.env, ALEPH_STATE_DIR: root };
  const paths = kernelModule.resolvePaths({ env, cwd: root });
  // WASM plugins run when the WASM host is installed beside the SDK (as it is with the aleph CLI).
  const wasmHost = await importBeside("@aleph/wasm-host");
  const kernel = kernelModule.createKernel({
    env,
    paths,
    bundled: options.plugins ?? [],
    ...(wasmHost?.createWasmLoader ? { loaders: { wasm: wasmHost.createWasmLoader() } } : {}),
    searchPaths: [{ source: "user", dir: join(root, "plugins") }],
    watch: false,
    lock: false,
  });
  const events: RecordedEvent[] = [];
  const waiters = new Set<{ event: string; predicate: (p: any) => boolean; resolve: (p: any) => void }>();
  kernel.bus.onAny((event: string, payload: unknown) => {
    events.push({ event, payload });
    for (const w of [...waiters]) {
      if (w.event === event && w.predicate(payload)) {
        waiters.delete(w);
        w.resolve(payload);
      }
    }
  });
  await kernel.start();
  let stopped = false;
  // The copy that owns the id: not an overridden copy, nor one that failed while another runs instead.
  const find = (id: string) => (kernel.host.list() as PluginInfo[]).find((p) => p.id === id && p.status !== "overridden" && !p.runningInstead);

  const testKernel: TestKernel = {
    root,
    events,
    kernel,
    service<T>(ref: ServiceRef<T> | string): T | undefined {
      return kernel.host.registry.bound(serviceIdOf(ref))?.implementation as T | undefined;
    },
    emit: (event, payload) => kernel.bus.emit(event, payload),
    waitFor(event, predicate = () => true, timeoutMs = 5000) {
      const past = events.find((e) => e.event === event && predicate(e.payload));
      if (past) return Promise.resolve(past.payload);
      return new Promise((resolve, reject) => {
        const waiter = { event, predicate, resolve: (p: any) => (clearTimeout(timer), resolve(p)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    plugins: () => kernel.host.list(),
    plugin: find,
    reload: (id) => kernel.host.reload(id),
    async writeConfig(config) {
      await writeFile(join(root, "config.toml"), configText(config));
      const result = await kernel.reloadConfig();
      return { applied: result.applied, sections: result.sections };
    },
    listenerCount: () => kernel.bus.listenerCount(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await kernel.stop();
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]() {
      return this.stop();
    },
  };
  return testKernel;
}

/** One check of the conformance run. */
export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ConformanceResult {
  id: string;
  ok: boolean;
  checks: ConformanceCheck[];
}

export interface ConformanceOptions {
  /** Plugins it needs (providers of what it requires, the tools registry…). */
  plugins?: TestPlugin[];
  /** Its config section and any other config, as for createTestKernel. */
  config?: Record<string, unknown>;
}

/** What a plugin can leave behind: subscriptions, services, tools. */
function footprint(kernel: TestKernel): { listeners: number; services: string; tools: string } {
  const services = (kernel.kernel.host.services() as { id: string; providers: { plugin: string }[] }[])
    .map((s) => `${s.id}:${s.providers.map((p) => p.plugin).join("+")}`)
    .join(",");
  const tools = ((kernel.service<{ list(): { name: string; plugin: string }[] }>("tools")?.list() ?? []) as { name: string; plugin: string }[])
    .map((t) => `${t.name}@${t.plugin}`)
    .join(",");
  return { listeners: kernel.listenerCount(), services, tools };
}

/**
 * Loads, reloads, unloads and reloads a plugin in a real kernel and checks the lifecycle
 * contract: it comes up active; a reload gives generation + 1 and leaves the same footprint
 * (event subscriptions, services, tools) as the first load — nothing leaks across reloads; an
 * unload removes everything it registered; it loads again afterwards; nothing fails on the way.
 */
export async function runPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const kernelModule = await importKernel();
  const candidate = kernelModule.readCandidate("user", dir);
  if (!candidate) throw new Error(`${dir} holds no aleph_plugin.toml`);
  if (candidate.error) throw new Error(`${dir}: ${candidate.error.message}`);
  const id: string = candidate.id;
  const checks: ConformanceCheck[] = [];
  const check = (name: string, ok: boolean, detail?: string) => void checks.push({ name, ok, ...(ok || !detail ? {} : { detail }) });
  const baseConfig = options.config ?? {};
  const withDisabled = (disabled: string[]) => ({
    ...baseConfig,
    extensions: { ...((baseConfig.extensions as Record<string, unknown>) ?? {}), disabled },
  });
  const kernel = await createTestKernel({ plugins: [...(options.plugins ?? []), dir], config: withDisabled([id]) });
  try {
    const before = footprint(kernel);
    await kernel.writeConfig(withDisabled([]));
    const first = kernel.plugin(id);
    check("loads and is active", first?.status === "active" && first.generation === 1, JSON.stringify(first?.error ?? first?.status));
    const loaded = footprint(kernel);

    await kernel.reload(id);
    const second = kernel.plugin(id);
    check("a reload gives the next generation", second?.status === "active" && second.generation === 2, JSON.stringify(second?.error ?? second));
    check(
      "a reload unloads the previous generation first",
      kernel.events.some((e) => e.event === "plugin.unloaded" && e.payload.id === id && e.payload.reason === "reload"),
    );
    const reloaded = footprint(kernel);
    check("nothing leaks across a reload (subscriptions, services, tools)", JSON.stringify(reloaded) === JSON.stringify(loaded), `after load ${JSON.stringify(loaded)}, after reload ${JSON.stringify(reloaded)}`);

    await kernel.writeConfig(withDisabled([id]));
    const after = footprint(kernel);
    check("unloading removes everything it registered", JSON.stringify(after) === JSON.stringify(before), `before load ${JSON.stringify(before)}, after unload ${JSON.stringify(after)}`);
    check("it reports the unload as disabled", kernel.events.some((e) => e.event === "plugin.unloaded" && e.payload.id === id && e.payload.reason === "disabled"));

    await kernel.writeConfig(withDisabled([]));
    const third = kernel.plugin(id);
    check("it loads again after an unload", third?.status === "active" && third.generation === 3, JSON.stringify(third?.error ?? third));
    const failures = kernel.events.filter((e) => (e.event === "plugin.failed" || e.event === "plugin.error") && e.payload.id === id);
    check("nothing failed on the way", failures.length === 0, JSON.stringify(failures.map((f) => f.payload)));
  } finally {
    await kernel.stop();
  }
  return { id, ok: checks.every((c) => c.ok), checks };
}

/** Runs the conformance checks and throws with every failed check when one fails. */
export async function assertPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const result = await runPluginConformance(dir, options);
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok).map((c) => `  ✗ ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    throw new Error(`plugin "${result.id}" does not conform:\n${failed.join("\n")}`);
  }
  return result;
}

export interface KillTestOptions {
  /** Working directory of the child (where its imports resolve from). */
  cwd?: string;
  /** The line the child prints once it is ready to be killed (default "ready"). */
  readyLine?: string;
  /** How long after that line to send SIGKILL, in ms. */
  killAfterMs: number;
}

/**
 * For crash tests: runs `node script ...args`, waits for its ready line, SIGKILLs it
 * `killAfterMs` later and returns every line it printed. The usual pattern is a child that
 * prints an acknowledgement after each write resolves; after the kill, every acknowledged write
 * must be found on disk.
 */
export async function runAndKill(script: string, args: string[], options: KillTestOptions): Promise<string[]> {
  const { spawn } = await import("node:child_process");
  const readyLine = `${options.readyLine ?? "ready"}\n`;
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyLine)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${script} exited (code ${code}) before printing "${readyLine.trim()}": ${err}`)));
  });
  await new Promise((r) => setTimeout(r, options.killAfterMs));
  child.kill("SIGKILL");
  await exited;
  return out.split("\n");
}

/**
 * Makes keys written from now on derive at the vault's lowest cost (a few ms instead of ~100 ms,
 * far more on a loaded machine; honoured only under a test runner) and returns the undo. Reads are
 * unaffected: every key file records its own cost.
 */
export function useLowVaultKdfCost(): () => void {
  const saved = process.env[VAULT_KDF_TEST_COST_ENV];
  process.env[VAULT_KDF_TEST_COST_ENV] = "1024";
  return () => {
    if (saved === undefined) delete process.env[VAULT_KDF_TEST_COST_ENV];
    else process.env[VAULT_KDF_TEST_COST_ENV] = saved;
  };
}
