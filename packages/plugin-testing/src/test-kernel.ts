import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, resolvePaths, stringifyToml, type Kernel, type KernelOptions } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { serviceIdOf, type AlephEvents, type PluginDefinition, type PluginInfo, type ServiceRef } from "@aleph/plugin-sdk";

/*
 * A real, in-process kernel on a temporary state root, for plugin authors' own tests. It runs the
 * same code as `aleph start`, with file watching off, no lock, and nothing read from the user's
 * ~/.config/aleph or from the system and project search paths.
 */

/** A plugin for the test kernel: a plugin directory, or a manifest and definition in memory. */
export type TestPlugin = string | { manifest: Record<string, unknown>; definition: PluginDefinition<unknown> };

export interface TestKernelOptions {
  plugins?: TestPlugin[];
  /** config.toml: TOML text, or an object written as TOML. */
  config?: string | Record<string, unknown>;
  /** State root to use (kept afterwards); by default a temp directory removed by stop(). */
  root?: string;
  /** Environment seen by the kernel (ALEPH_* overrides, ${VAR} references); default {}. */
  env?: Record<string, string>;
  /**
   * Watch files as `aleph start` does (default false): `ctx.watch` handlers are called and the
   * kit's user plugin directory and config.toml are watched. Off, `ctx.watching` is false.
   */
  watch?: boolean;
}

/**
 * What the kit knows of a payload: a declared event (the SDK's AlephEvents, with your own
 * `declare module` additions) has its declared type; any other is read as a record of unknown
 * values (payloads are JSON objects by convention) — declare the event to type it.
 */
export type PayloadOf<E extends string> = E extends keyof AlephEvents ? AlephEvents[E] : EventRecord;

/** The payload of an event nobody declared. */
export type EventRecord = Readonly<Record<string, unknown>>;

export interface RecordedEvent {
  event: string;
  payload: EventRecord;
}

export interface TestKernel {
  readonly root: string;
  /** Every event emitted since the kernel was created, in order. */
  readonly events: RecordedEvent[];
  /** The payloads of the recorded events with this name, in order, typed when the event is declared. */
  eventsNamed<E extends string>(event: E): PayloadOf<E>[];
  /** The implementation bound to a service, or undefined when none is active. */
  service<T>(ref: ServiceRef<T> | string): T | undefined;
  emit<E extends string>(event: E, payload: PayloadOf<E>): Promise<void>;
  /** Resolves with the payload of the first matching event (past or future). */
  waitFor<E extends string>(event: E, predicate?: (payload: PayloadOf<E>) => boolean, timeoutMs?: number): Promise<PayloadOf<E>>;
  plugins(): PluginInfo[];
  plugin(id: string): PluginInfo | undefined;
  /** Reloads a plugin with fresh code, as a file change would. */
  reload(id: string): Promise<void>;
  /** Rewrites config.toml and applies it, as a save of the file would. */
  writeConfig(config: string | Record<string, unknown>): Promise<{ applied: boolean; sections: string[] }>;
  /** Count of event subscriptions held by plugins (to check nothing leaks across reloads). */
  listenerCount(): number;
  /** The underlying @aleph/kernel Kernel, for what this facade does not cover. */
  readonly kernel: Kernel;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The loaders `aleph start` passes: the Node loader (the kit's dependency), and the WASM host when
 * it is installed beside the kit (the --wasm scaffold and the aleph CLI have it).
 */
async function pluginLoaders(): Promise<NonNullable<KernelOptions["loaders"]>> {
  try {
    const { createWasmLoader } = await import("@aleph/wasm-host");
    return { node: loadNodePlugin, wasm: createWasmLoader() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("@aleph/wasm-host")) return { node: loadNodePlugin };
    throw error;
  }
}

function tomlText(config: string | Record<string, unknown>): string {
  return typeof config === "string" ? config : stringifyToml(config);
}

/** Starts a kernel with the given plugins on a temp root; stop() tears it all down. */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "aleph-test-")));
  const ownRoot = options.root === undefined;
  if (options.config !== undefined) await writeFile(join(root, "config.toml"), tomlText(options.config));
  const env = { ...options.env, ALEPH_STATE_DIR: root };
  const kernel = createKernel({
    env,
    paths: resolvePaths({ env, cwd: root }),
    bundled: options.plugins ?? [],
    loaders: await pluginLoaders(),
    searchPaths: [{ source: "user", dir: join(root, "plugins") }],
    watch: options.watch ?? false,
    lock: false,
  });
  const events: RecordedEvent[] = [];
  const waiters = new Set<{ event: string; predicate: (payload: never) => boolean; resolve: (payload: EventRecord) => void }>();
  kernel.bus.onAny((event: string, payload: unknown) => {
    const recorded = payload as EventRecord;
    events.push({ event, payload: recorded });
    for (const waiter of [...waiters]) {
      if (waiter.event === event && waiter.predicate(recorded as never)) {
        waiters.delete(waiter);
        waiter.resolve(recorded);
      }
    }
  });
  await kernel.start();
  let stopped = false;

  const testKernel: TestKernel = {
    root,
    events,
    kernel,
    eventsNamed: <E extends string>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as PayloadOf<E>),
    service<T>(ref: ServiceRef<T> | string): T | undefined {
      return kernel.host.registry.bound(serviceIdOf(ref))?.implementation as T | undefined;
    },
    emit: (event, payload) => kernel.bus.emit(event, payload),
    waitFor<E extends string>(event: E, predicate: (payload: PayloadOf<E>) => boolean = () => true, timeoutMs = 5000): Promise<PayloadOf<E>> {
      const past = events.find((e) => e.event === event && predicate(e.payload as PayloadOf<E>));
      if (past) return Promise.resolve(past.payload as PayloadOf<E>);
      return new Promise((resolve, reject) => {
        const waiter = {
          event,
          predicate,
          resolve: (payload: EventRecord) => {
            clearTimeout(timer);
            resolve(payload as PayloadOf<E>);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    plugins: () => kernel.host.list(),
    // The copy that owns the id: not an overridden copy, nor one that failed while another runs instead.
    plugin: (id) => kernel.host.list().find((p) => p.id === id && p.status !== "overridden" && !p.runningInstead),
    reload: (id) => kernel.host.reload(id),
    async writeConfig(config) {
      await writeFile(join(root, "config.toml"), tomlText(config));
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
