import { AlephError, mkdirPrivateSync, PLUGIN_API_VERSION, type ConfigIssue, type PluginInfo } from "@aleph/plugin-sdk";
import { changedSections, formatIssue, loadConfig, vaultOptions, type ConfigSnapshot } from "./config-loader.js";
import type { BundledPlugin } from "./discovery.js";
import { EventBus } from "./event-bus.js";
import { acquireLock, assertInheritedLock } from "./lock.js";
import { parseLogLevels } from "./log-levels.js";
import { createLogSystem, type LogSystem } from "./logger.js";
import { pluginSearchPaths, resolvePaths, type AlephPaths, type PluginSearchPath } from "./paths.js";
import { PluginHost } from "./plugin-host.js";
import type { PluginLoader } from "./plugin-loader.js";
import type { LoadScope } from "./load-scope.js";
import { ownerRow } from "./plugin-info.js";
import { SecretRedactor } from "@aleph/plugin-sdk";
import type { ServiceInfo } from "./service-registry.js";
import { ConfigWatcher, PluginWatcher } from "./watcher.js";
import { WatchService } from "./watch-service.js";
import { contributionsOf } from "./contributions.js";
import { lookupConfigOrigin, lookupConfigValue } from "./config-lookup.js";
import { watchFaults } from "./fault-handlers.js";
import type { SupervisorInfo } from "./supervision-protocol.js";

type Env = Record<string, string | undefined>;

export interface KernelOptions {
  env?: Env;
  cwd?: string;
  /** Resolved paths; by default from `env` and `cwd`. */
  paths?: AlephPaths;
  /** The bundled set (directories or in-memory plugins); the launcher knows it, the kernel does not. */
  bundled?: BundledPlugin[];
  /** Replaces the user/system/project search paths (the test kit points them at a temp root). */
  searchPaths?: PluginSearchPath[];
  /** Watch search paths and config files; defaults to [extensions] hot_reload. */
  watch?: boolean;
  /** Human-readable log lines on stderr. */
  logToStderr?: boolean;
  color?: boolean;
  /** Write logs/gateway.log and logs/agent.log (default true). */
  logToFiles?: boolean;
  /** Take the one-kernel-per-root lock (default true). */
  lock?: boolean;
  /**
   * The lock is held by the process that started this one (`aleph start`'s supervisor), with this
   * nonce in its record: the kernel checks that instead of taking the lock.
   */
  inheritedLock?: string;
  /** Set in a kernel run by `aleph start`'s supervisor: shown by status (pid, restarts, why the last kernel ended). */
  supervisor?: SupervisorInfo;
  /** Passed to the plugin host (PluginHostOptions.breadcrumb): the supervised kernel records what plugin code runs. */
  breadcrumb?: (phase: "import" | "setup" | "idle", ids: readonly string[]) => void;
  /** Quiet time before a config file change is applied (default 500 ms). */
  configDebounceMs?: number;
  /** Launcher work to finish before kernel.ready, after the plugins load (the CLI opens its control socket). */
  beforeReady?: (kernel: Kernel) => Promise<void>;
  /** Load only these plugins and services and what they require (a kernel started for one command). */
  scope?: LoadScope;
  /**
   * A loader per plugin kind: `node` (loadNodePlugin from @aleph/node-host), `wasm`
   * (createWasmLoader() from @aleph/wasm-host). The kernel imports no plugin code itself: a plugin
   * of a kind left out fails with ALEPH_E_NO_LOADER (plugins given in memory need none).
   */
  loaders?: Partial<Record<"node" | "wasm", PluginLoader>>;
}

export interface KernelStatus {
  pid: number;
  root: string;
  startedAt: string;
  uptimeMs: number;
  plugins: PluginInfo[];
  services: ServiceInfo[];
  /** When `aleph start`'s supervisor runs this kernel: its pid, the restarts so far, why the last kernel ended. */
  supervisor?: SupervisorInfo;
}

/** Thrown by start() when config.toml or providers.toml is invalid. */
export class ConfigInvalidError extends AlephError {
  constructor(readonly issues: ConfigIssue[]) {
    super("ALEPH_E_CONFIG", `invalid configuration:\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`, {
      file: issues[0]?.file,
      line: issues[0]?.line,
      fix: "correct the keys named above; `aleph config check` re-checks without starting",
    });
  }
}

/**
 * The kernel: paths, config, the event bus and the plugin host, and nothing else.
 * Every capability arrives as a plugin.
 */
export class Kernel {
  readonly paths: AlephPaths;
  readonly bus: EventBus;
  readonly host: PluginHost;
  readonly logs: LogSystem;
  #options: KernelOptions;
  #env: Env;
  #snapshot: ConfigSnapshot;
  #redactor = new SecretRedactor();
  #startedAt = new Date();
  #t0 = performance.now();
  /** Resolved after kernel.ready: what `ctx.onReady` handlers wait for. */
  readonly #ready = deferred();
  #teardown: (() => Promise<void> | void)[] = [];
  #pluginWatcher: PluginWatcher | undefined;
  /** The one watcher behind every plugin's ctx.watch. */
  #watches: WatchService;
  #searchPaths: PluginSearchPath[];
  #state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  #starting: Promise<unknown> | undefined;
  #stopRequested = false;
  /** The config files changed while the kernel started: read again once it runs. */
  #configChangedWhileStarting = false;

  constructor(options: KernelOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.paths = options.paths ?? resolvePaths({ env: this.#env, cwd: options.cwd });
    let levels;
    try {
      levels = parseLogLevels(this.#env.ALEPH_LOG);
    } catch (error) {
      throw new AlephError("ALEPH_E_USAGE", (error as Error).message, { fix: "e.g. ALEPH_LOG=info or ALEPH_LOG=kernel=debug,memory=info" });
    }
    this.logs = createLogSystem({
      logDir: options.logToFiles === false ? undefined : this.paths.logDir,
      stderr: options.logToStderr ?? false,
      color: options.color ?? false,
      levels,
      redactor: this.#redactor,
    });
    const log = this.logs.get("kernel");
    this.bus = new EventBus((owner, event, error) => {
      const message = error instanceof Error ? error.message : String(error);
      log.error("event handler failed", { plugin: owner ?? "kernel", event, error });
      if (owner && event !== "plugin.error") void this.bus.emit("plugin.error", { id: owner, event, message: this.redact(message) });
    });
    // Until start() reads the files, the defaults are in force.
    const defaults = loadConfig({ config: "/nonexistent/config.toml", providers: "/nonexistent/providers.toml" }, {});
    if (!defaults.ok) throw new Error("kernel defaults do not validate");
    this.#snapshot = { ...defaults.snapshot, files: { config: this.paths.configFile, providers: this.paths.providersFile } };
    this.#searchPaths = options.searchPaths ?? pluginSearchPaths(this.paths);
    this.#watches = new WatchService({
      enabled: () => this.#options.watch ?? this.#snapshot.config.extensions.hot_reload,
      debounceMs: () => this.#snapshot.config.extensions.debounce_ms,
      log: this.logs.get("kernel.watcher"),
    });
    this.host = new PluginHost({
      searchPaths: this.#searchPaths,
      bundled: options.bundled ?? [],
      bus: this.bus,
      logs: this.logs,
      paths: this.paths,
      config: () => this.#snapshot,
      hostApi: PLUGIN_API_VERSION,
      loaders: options.loaders,
      ...(options.scope ? { scope: options.scope } : {}),
      watching: () => this.#options.watch ?? this.#snapshot.config.extensions.hot_reload,
      redact: (text) => this.#redactor.redact(text),
      ...(options.breadcrumb ? { breadcrumb: options.breadcrumb } : {}),
      facilities: {
        watches: this.#watches,
        contributions: (name) => contributionsOf(this.host, name),
        status: () => this.status(),
        configValue: (path, file) => lookupConfigValue(this.#snapshot, this.#redactor, path, file),
        configOrigin: (path, file) => lookupConfigOrigin(this.#snapshot, path, file),
        kernelRole: options.scope ? "command" : "service",
        ready: this.#ready.promise,
      },
    });
  }

  /** Scrubs the secret values of the config in force out of text (for output that is not a log). */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  /**
   * An event payload (any value) as the JSON data it travels as, with the config's secret values
   * scrubbed out of every string in it. Scrubbed value by value: scrubbing the serialized text
   * could cut through a JSON escape and leave a line that does not parse.
   */
  redactPayload(payload: unknown): unknown {
    let data: unknown;
    try {
      const text = JSON.stringify(payload ?? {});
      data = text === undefined ? {} : (JSON.parse(text) as unknown);
    } catch {
      data = { unserializable: true }; // a cycle or a BigInt: the event's name still tells what happened
    }
    return this.#redactor.redactStrings(data);
  }

  /** When this kernel was created (ISO time). */
  get startedAt(): string {
    return this.#startedAt.toISOString();
  }

  /** The configuration in force. */
  get config(): ConfigSnapshot {
    return this.#snapshot;
  }

  get state(): string {
    return this.#state;
  }

  /**
   * Boots: lock, config, plugins, watchers, the launcher's beforeReady; then emits kernel.ready.
   * A stop() that arrives meanwhile waits for the plugins to finish loading, and no kernel.ready
   * follows it.
   */
  async start(): Promise<{ plugins: number; ms: number }> {
    if (this.#state !== "new") throw new Error(`kernel already ${this.#state}`);
    this.#state = "starting";
    const booting = this.#boot();
    this.#starting = booting;
    return booting;
  }

  async #boot(): Promise<{ plugins: number; ms: number }> {
    const log = this.logs.get("kernel");
    try {
      for (const dir of [this.paths.root, this.paths.runDir, this.paths.userPluginsDir]) mkdirPrivateSync(dir);
      this.#teardown.push(() => this.#watches.close());
      if (this.#options.inheritedLock !== undefined) assertInheritedLock(this.paths.runDir, this.#options.inheritedLock);
      else if (this.#options.lock !== false) {
        const lock = acquireLock(this.paths.runDir);
        this.#teardown.push(() => lock.release());
      }
      this.#teardown.push(
        watchFaults({
          pluginOfFile: (file) => this.host.pluginOfFile(file),
          failPlugin: (id, kind, error) => this.host.failUnhandled(id, kind, error),
          unattributed: (kind, error) =>
            log.error(kind === "rejection" ? "unhandled promise rejection that no plugin can be blamed for; the kernel keeps running" : "uncaught exception that no plugin can be blamed for; the kernel keeps running", { error }),
        }),
      );
      const loaded = loadConfig({ config: this.paths.configFile, providers: this.paths.providersFile }, this.#env, vaultOptions(this.paths, this.#env));
      if (!loaded.ok) throw new ConfigInvalidError(loaded.issues);
      this.#setSnapshot(loaded.snapshot);
      // The watchers start while the plugins load: starting one is mostly waiting for the file
      // system (directory scans), loading mostly work on this thread. A plugin change seen
      // meanwhile waits in the host's queue until the start is done; a config change is applied
      // once the kernel runs.
      const [loading, watching] = await Promise.allSettled([this.host.start(), this.#startWatchers()]);
      if (loading.status === "rejected") throw loading.reason;
      if (watching.status === "rejected") throw watching.reason;
      if (!this.#stopRequested) await this.#options.beforeReady?.(this);
    } catch (error) {
      await this.#runTeardown();
      this.#state = "stopped";
      throw error;
    }
    this.#state = "running";
    if (this.#configChangedWhileStarting) void this.reloadConfig();
    const plugins = this.host.list().filter((p) => p.status === "active").length;
    const ms = Math.round(performance.now() - this.#t0);
    if (this.#stopRequested) return { plugins, ms };
    log.info("kernel ready", { plugins, ms, root: this.paths.root });
    await this.bus.emit("kernel.ready", { plugins, ms });
    this.#ready.resolve();
    return { plugins, ms };
  }

  async #startWatchers(): Promise<void> {
    const starting: Promise<void>[] = [];
    if (this.#options.watch ?? this.#snapshot.config.extensions.hot_reload) {
      this.#teardown.push(async () => {
        await this.#pluginWatcher?.close();
        this.#pluginWatcher = undefined;
      });
      starting.push(this.#startPluginWatcher());
    }
    if (this.#options.watch !== false) {
      const configWatcher = new ConfigWatcher([this.paths.configFile, this.paths.providersFile], this.#options.configDebounceMs ?? 500, () => {
        if (this.#state === "starting") this.#configChangedWhileStarting = true;
        else void this.reloadConfig();
      });
      this.#teardown.push(() => configWatcher.close());
      starting.push(configWatcher.start());
    }
    await Promise.all(starting);
  }

  async #startPluginWatcher(): Promise<void> {
    const debounce = this.#snapshot.config.extensions.debounce_ms;
    const watcher = new PluginWatcher(this.#searchPaths, debounce, (dir, paths) => void this.host.filesChanged(dir, paths), this.logs.get("kernel.watcher"));
    await watcher.start();
    this.#pluginWatcher = watcher;
  }

  /** Re-reads the config files; applies a valid change, reports an invalid one and keeps the old. */
  async reloadConfig(): Promise<{ applied: boolean; sections: string[]; issues: ConfigIssue[] }> {
    if (this.#state !== "running") return { applied: false, sections: [], issues: [] };
    const log = this.logs.get("kernel.config");
    const loaded = loadConfig({ config: this.paths.configFile, providers: this.paths.providersFile }, this.#env, vaultOptions(this.paths, this.#env));
    // The new file's secrets are scrubbed from here on even if the change is rejected: a plugin's
    // schema message, the warning and the config.invalid event may quote a value it refuses.
    if (loaded.ok) this.#redactor.add(loaded.snapshot.secrets);
    const issues = loaded.ok ? await this.host.validateSections(loaded.snapshot) : loaded.issues;
    if (!loaded.ok || issues.length > 0) {
      const byFile = new Map<string, ConfigIssue[]>();
      for (const issue of issues) byFile.set(issue.file, [...(byFile.get(issue.file) ?? []), issue]);
      for (const [file, errors] of byFile) {
        log.warn("config change rejected; the previous config stays in force", { file, errors: errors.map(formatIssue) });
        await this.bus.emit("config.invalid", this.#redactor.redactStrings({ file, errors }));
      }
      return { applied: false, sections: [], issues: this.#redactor.redactStrings(issues) };
    }
    const previous = this.#snapshot;
    const sections = changedSections(previous, loaded.snapshot);
    if (sections.length === 0) return { applied: false, sections, issues: [] };
    this.#setSnapshot(loaded.snapshot);
    const before = previous.config.extensions;
    const after = loaded.snapshot.config.extensions;
    if (this.#options.watch === undefined && before.hot_reload !== after.hot_reload) {
      if (after.hot_reload) await this.#startPluginWatcher();
      else {
        await this.#pluginWatcher?.close();
        this.#pluginWatcher = undefined;
      }
    }
    if (this.#pluginWatcher) this.#pluginWatcher.debounceMs = after.debounce_ms;
    await this.#watches.refresh();
    log.info("config changed", { sections });
    // Applied first, announced after: a listener of config.changed sees every plugin's state as the
    // new config makes it (the workspace plugin's agents, a reloaded plugin's services).
    await this.host.applyConfig(previous, loaded.snapshot);
    await this.bus.emit("config.changed", { sections });
    return { applied: true, sections, issues: [] };
  }

  #setSnapshot(snapshot: ConfigSnapshot): void {
    this.#snapshot = snapshot;
    this.#redactor.set(snapshot.secrets);
  }

  /** The kernel's state; every string in it is scrubbed of secrets (failures are redacted when recorded, this catches the rest). */
  status(): KernelStatus {
    return this.#redactor.redactStrings({
      pid: process.pid,
      root: this.paths.root,
      startedAt: this.#startedAt.toISOString(),
      uptimeMs: Math.round(performance.now() - this.#t0),
      plugins: this.host.list(),
      services: this.host.services(),
      ...(this.#options.supervisor ? { supervisor: this.#options.supervisor } : {}),
    });
  }

  inspect(id: string): PluginInfo & { manifestFile?: string; servicesBound?: Record<string, string | null> } {
    const info = ownerRow(this.host.list(), id);
    if (!info) throw new AlephError("ALEPH_E_USAGE", `no plugin with id "${id}"`, { fix: "run `aleph plugins list` to see the ids" });
    const instance = this.host.instanceOf(id);
    const servicesBound = instance
      ? Object.fromEntries([...instance.bindings].map(([service, provider]) => [service, provider?.pluginId ?? null]))
      : undefined;
    return this.#redactor.redactStrings({ ...info, manifestFile: this.host.manifestFileOf(id), ...(servicesBound ? { servicesBound } : {}) });
  }

  /** Registers a teardown to run when the kernel stops (the launcher's control socket uses it). */
  onStop(teardown: () => Promise<void> | void): void {
    this.#teardown.push(teardown);
  }

  /** Unloads every plugin in reverse load order and releases the root. Safe to call twice. */
  async stop(signal?: string): Promise<void> {
    if (this.#state === "starting") {
      this.#stopRequested = true;
      await this.#starting!.catch(() => undefined);
    }
    if (this.#state !== "running") return;
    this.#state = "stopping";
    await this.bus.emit("kernel.stopping", signal ? { signal } : {});
    await this.#pluginWatcher?.close();
    this.#pluginWatcher = undefined;
    await this.#watches.close();
    await this.host.stop();
    await this.#runTeardown();
    this.logs.get("kernel").info("kernel stopped");
    await this.logs.close();
    this.#state = "stopped";
  }

  async #runTeardown(): Promise<void> {
    while (this.#teardown.length > 0) {
      try {
        await this.#teardown.pop()!();
      } catch (error) {
        this.logs.get("kernel").error("teardown failed", { error: String(error) });
      }
    }
  }
}

/** Creates a kernel (not started). */
export function createKernel(options: KernelOptions = {}): Kernel {
  return new Kernel(options);
}

/** A promise and its resolve (Promise.withResolvers arrives with Node 22). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
