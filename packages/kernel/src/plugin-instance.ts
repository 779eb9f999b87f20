import { join } from "node:path";
import {
  AlephError,
  DisposableStore,
  errorMessage,
  mkdirPrivateSync,
  serviceIdOf,
  toDisposable,
  type ConfigFileName,
  type KernelStatusView,
  type Disposable,
  type Logger,
  type PluginContribution,
  type PluginContext,
  type PluginManifest,
  type PluginSource,
  type ServiceRef,
} from "@aleph/plugin-sdk";
import type { EventBus } from "./event-bus.js";
import type { ServiceProvider, ServiceRegistry } from "./service-registry.js";
import { watchDebounce, watchTargets, type WatchService } from "./watch-service.js";

/** What the kernel lends every plugin context besides the bus and the registry. */
export interface ContextFacilities {
  /** The one file watcher behind `ctx.watch`. */
  watches: WatchService;
  /** `ctx.plugins.contributions`. */
  contributions(name: string): PluginContribution[];
  /** `ctx.plugins.status`: the kernel's status, redacted. */
  status(): KernelStatusView;
  /** `ctx.configValue`: redacted, read-only. */
  configValue(path: string, file?: ConfigFileName): unknown;
  /** `ctx.kernelRole`: the long-running kernel, or one started for a command. */
  kernelRole: "service" | "command";
  /** Resolves once kernel.ready has been emitted (never, for a kernel that stops before it): `ctx.onReady`. */
  ready: Promise<void>;
  /** `ctx.configOrigin`: where a value comes from, never the value. */
  configOrigin(path: string, file?: ConfigFileName): string | undefined;
}

export interface InstanceOptions {
  manifest: PluginManifest;
  source: PluginSource;
  dir: string;
  generation: number;
  config: unknown;
  bus: EventBus;
  registry: ServiceRegistry;
  log: Logger;
  paths: { root: string; dataDir: string; logDir: string; workspaceDir: string };
  /** Scrubs secret values out of text (the kernel's redactor). */
  redact?: (text: string) => string;
  facilities: ContextFacilities;
}

type ConfigHandler = (config: unknown, previous: unknown) => void | Promise<void>;

/**
 * One running generation of a plugin: its context, the store holding everything it
 * registered, the services it bound to. Disposing it undoes every registration LIFO.
 */
export class PluginInstance {
  readonly manifest: PluginManifest;
  readonly source: PluginSource;
  /** The plugin directory this generation was loaded from. */
  readonly dir: string;
  readonly generation: number;
  readonly store = new DisposableStore();
  readonly ctx: PluginContext<unknown>;
  /** Services it provided during setup. */
  readonly provided = new Set<string>();
  /** The provider bound for each service it declared, as of its setup; a change means a reload. */
  readonly bindings = new Map<string, ServiceProvider | undefined>();
  readonly configHandlers = new Set<ConfigHandler>();
  config: unknown;
  #abort = new AbortController();
  #options: InstanceOptions;

  constructor(options: InstanceOptions) {
    this.#options = options;
    this.manifest = options.manifest;
    this.source = options.source;
    this.dir = options.dir;
    this.generation = options.generation;
    this.config = options.config;
    this.ctx = this.#createContext();
  }

  /** Records the provider currently bound for every declared service (after setup). */
  snapshotBindings(): void {
    const { requires, optional } = this.manifest.services;
    for (const id of [...requires, ...optional]) if (!this.bindings.has(id)) this.bindings.set(id, this.#options.registry.bound(id));
  }

  /**
   * True when a service it depends on is now bound to a different provider (or none). Optional
   * services from `ignoredProviders` (plugins it shares an optional cycle with) do not count.
   */
  bindingsChanged(ignoredProviders: ReadonlySet<string> = new Set()): boolean {
    const optional = this.manifest.services.optional;
    for (const [id, provider] of this.bindings) {
      const now = this.#options.registry.bound(id);
      if (now === provider) continue;
      const ignored = optional.includes(id) && (!provider || ignoredProviders.has(provider.pluginId)) && (!now || ignoredProviders.has(now.pluginId));
      if (!ignored) return true;
    }
    return false;
  }

  async dispose(): Promise<void> {
    this.#abort.abort(new Error(`plugin "${this.manifest.id}" unloaded`));
    await this.store.dispose();
  }

  #ensureAlive(what: string): void {
    if (this.store.isDisposed) {
      throw new AlephError("ALEPH_E_SERVICE", `plugin "${this.manifest.id}" (generation ${this.generation}) is unloaded and cannot ${what}`, {
        fix: "stop background work when ctx.signal aborts",
      });
    }
  }

  #createContext(): PluginContext<unknown> {
    const o = this.#options;
    const m = o.manifest;
    const id = m.id;
    const store = this.store;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const instance = this;
    const declared = new Set([...m.services.requires, ...m.services.optional]);
    let dataReady = false;
    const dataDir = join(o.paths.dataDir, id);

    const lookup = (ref: ServiceRef<unknown> | string, required: boolean): unknown => {
      this.#ensureAlive("use services");
      const serviceId = serviceIdOf(ref);
      if (!declared.has(serviceId)) {
        throw new AlephError("ALEPH_E_SERVICE", `plugin "${id}" asked for service "${serviceId}", which its manifest does not declare`, {
          fix: `add "${serviceId}" to [services] requires (or optional) in the plugin's aleph_plugin.toml`,
        });
      }
      const provider = o.registry.bound(serviceId);
      if (!this.bindings.has(serviceId)) this.bindings.set(serviceId, provider);
      if (!provider && required) {
        throw new AlephError("ALEPH_E_DEPENDENCY", `no active plugin provides service "${serviceId}" (needed by "${id}")`, {
          fix: `install or enable a plugin that provides "${serviceId}"`,
        });
      }
      return provider?.implementation;
    };

    const events = {
      on: (event: string, handler: (payload: never) => unknown): Disposable => {
        this.#ensureAlive("subscribe to events");
        const d = o.bus.on(event, handler as (p: unknown) => unknown, id);
        return store.add(d);
      },
      once: (event: string, handler: (payload: never) => unknown): Disposable => {
        this.#ensureAlive("subscribe to events");
        const d = o.bus.once(event, handler as (p: unknown) => unknown, id);
        return store.add(d);
      },
      // A plugin's own error report (the WASM host emits `plugin.error` for a guest's failure) is
      // scrubbed like the kernel's: its message may quote a config value read from the vault.
      emit: (event: string, payload: unknown): Promise<void> => o.bus.emit(event, event === "plugin.error" ? scrubMessage(payload, o.redact) : payload),
    };

    const f = o.facilities;
    const reportWatchFailure = async (error: unknown): Promise<void> => {
      o.log.error("watch handler failed", { error });
      await o.bus.emit("plugin.error", { id, event: "watch", message: o.redact ? o.redact(errorMessage(error)) : errorMessage(error) });
    };

    return {
      id,
      version: m.version,
      kind: m.kind,
      source: o.source,
      generation: o.generation,
      get config() {
        return instance.config;
      },
      paths: {
        root: o.paths.root,
        plugin: o.dir,
        get data() {
          if (!dataReady) {
            mkdirPrivateSync(dataDir);
            dataReady = true;
          }
          return dataDir;
        },
        logs: o.paths.logDir,
        workspace: o.paths.workspaceDir,
      },
      log: o.log,
      events: events as PluginContext["events"],
      services: {
        provide: <T>(ref: ServiceRef<T> | string, implementation: T): Disposable => {
          this.#ensureAlive("provide services");
          const serviceId = serviceIdOf(ref);
          if (!m.services.provides.includes(serviceId)) {
            throw new AlephError("ALEPH_E_SERVICE", `plugin "${id}" provides service "${serviceId}", which its manifest does not list`, {
              fix: `add "${serviceId}" to [services] provides in the plugin's aleph_plugin.toml`,
            });
          }
          if (this.provided.has(serviceId)) {
            throw new AlephError("ALEPH_E_SERVICE", `plugin "${id}" provides service "${serviceId}" twice`, { fix: "call provide once per service" });
          }
          this.provided.add(serviceId);
          const registration = o.registry.add({
            serviceId,
            pluginId: id,
            generation: o.generation,
            priority: m.priority,
            source: o.source,
            implementation,
          });
          return store.add(
            toDisposable(() => {
              this.provided.delete(serviceId);
              return registration.dispose();
            }),
          );
        },
        get: <T>(ref: ServiceRef<T> | string): T => lookup(ref, true) as T,
        getOptional: <T>(ref: ServiceRef<T> | string): T | undefined => lookup(ref, false) as T | undefined,
      },
      signal: this.#abort.signal,
      onDispose: (teardown) => {
        this.#ensureAlive("register teardowns");
        return store.add(toDisposable(teardown));
      },
      onConfigChange: (handler) => {
        this.#ensureAlive("watch its config");
        this.configHandlers.add(handler as ConfigHandler);
        return store.add(toDisposable(() => void this.configHandlers.delete(handler as ConfigHandler)));
      },
      get watching() {
        return f.watches.watching;
      },
      watch: (paths, handler, options) => {
        this.#ensureAlive("watch files");
        const targets = watchTargets(paths, o.paths.root, id);
        const debounceMs = watchDebounce(options?.debounceMs, id);
        const handle = f.watches.subscribe({
          owner: id,
          paths: targets,
          ...(debounceMs !== undefined ? { debounceMs } : {}),
          // A handler's failure is its plugin's, reported like an event handler's; the watch stays.
          handler: async (changed) => {
            try {
              await handler(changed);
            } catch (error) {
              await reportWatchFailure(error);
            }
          },
        });
        return store.add(handle);
      },
      plugins: {
        contributions: (name) => f.contributions(name),
        status: () => f.status(),
      },
      kernelRole: f.kernelRole,
      onReady: (handler) => {
        this.#ensureAlive("wait for the kernel to be ready");
        let cancelled = false;
        void f.ready.then(async () => {
          if (cancelled || this.#abort.signal.aborted) return;
          try {
            await handler();
          } catch (error) {
            o.log.error("ready handler failed", { error });
            await o.bus.emit("plugin.error", { id, event: "kernel.ready", message: o.redact ? o.redact(errorMessage(error)) : errorMessage(error) });
          }
        });
        return store.add(toDisposable(() => void (cancelled = true)));
      },
      redact: (text: string) => (o.redact ? o.redact(String(text)) : String(text)),
      configValue: (path, options) => f.configValue(path, options?.file),
      configOrigin: (path, options) => f.configOrigin(path, options?.file),
    };
  }
}

function scrubMessage(payload: unknown, redact: ((text: string) => string) | undefined): unknown {
  if (redact === undefined || payload === null || typeof payload !== "object") return payload;
  const message = (payload as { message?: unknown }).message;
  return typeof message === "string" ? { ...payload, message: redact(message) } : payload;
}
