import type { PluginDirectory } from "./contributions.js";
import type { Disposable } from "./disposable.js";
import type { EventHandler, EventPayload } from "./events.js";
import type { PluginKind, PluginSource } from "./manifest.js";
import type { ServiceRef } from "./service-ref.js";

/** A structured logger scoped to one module (a plugin's logger is named after its id). */
export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(module: string): Logger;
}

/** Paths a plugin may use. */
export interface PluginPaths {
  /** The state root (`~/.config/aleph` by default). */
  readonly root: string;
  /** The plugin's own directory (where its manifest is). Treat it as read-only. */
  readonly plugin: string;
  /** The plugin's private data directory `<root>/data/<id>`, created on first access. */
  readonly data: string;
  /** The log directory. */
  readonly logs: string;
  /** The default agent's Markdown workspace. */
  readonly workspace: string;
}

/** The event bus as a plugin sees it: what it subscribes is undone when it unloads. */
export interface PluginEvents {
  on<K extends string>(event: K, handler: EventHandler<K>): Disposable;
  once<K extends string>(event: K, handler: EventHandler<K>): Disposable;
  /** Emits and waits for every handler; a handler's error is reported against its plugin, never thrown here. */
  emit<K extends string>(event: K, payload: EventPayload<K>): Promise<void>;
}

/** Services as a plugin sees them, limited to what its manifest declares. */
export interface PluginServices {
  /** Offers an implementation of a service listed in the manifest's `provides`. */
  provide<T>(ref: ServiceRef<T> | string, implementation: T): Disposable;
  /** The bound provider of a service in `requires` (or an available one in `optional`); throws otherwise. */
  get<T>(ref: ServiceRef<T> | string): T;
  /** The bound provider of a service in `requires` or `optional`, or undefined when none is active. */
  getOptional<T>(ref: ServiceRef<T> | string): T | undefined;
}

/** Called with the paths that changed (absolute, sorted, each once) after a quiet period. */
export type WatchHandler = (paths: string[]) => void | Promise<void>;

export interface WatchOptions {
  /** Quiet time before the handler is called, 50–60000 ms; default `[extensions] debounce_ms`. */
  debounceMs?: number;
}

/** A file watch made through `ctx.watch`; dispose it to stop watching. */
export interface WatchHandle extends Disposable {
  /**
   * Resolves once the watch is in place: a change made after it is reported. Resolves at once
   * when the kernel does not watch (then the handler is never called).
   */
  readonly ready: Promise<void>;
}

/** Which file `ctx.configValue` reads. */
export type ConfigFileName = "config" | "providers";

export interface ConfigValueOptions {
  /** `config` (config.toml, the default) or `providers` (providers.toml). */
  file?: ConfigFileName;
}

/** What a plugin's `setup` receives: everything scoped to the plugin, nothing of the host. */
export interface PluginContext<Config = Record<string, unknown>> {
  readonly id: string;
  readonly version: string;
  readonly kind: PluginKind;
  readonly source: PluginSource;
  /** 1 for the first load, +1 for each reload. */
  readonly generation: number;
  /** The plugin's config section, validated by its schema (defaults applied). */
  readonly config: Config;
  readonly paths: PluginPaths;
  readonly log: Logger;
  readonly events: PluginEvents;
  readonly services: PluginServices;
  /** Aborted when the plugin unloads: pass it to timers, fetches and loops. */
  readonly signal: AbortSignal;
  /** Registers a teardown; teardowns run last-in-first-out when the plugin unloads. */
  onDispose(teardown: () => void | Promise<void>): Disposable;
  /**
   * Applies a config change in place. Without a handler, a change to the plugin's section
   * reloads the plugin.
   */
  onConfigChange(handler: (config: Config, previous: Config) => void | Promise<void>): Disposable;
  /**
   * Whether the kernel watches files now: false under `aleph start --no-watch`, with
   * `[extensions] hot_reload = false`, and in a kernel started for one command. While it is false,
   * no `ctx.watch` handler is called.
   */
  readonly watching: boolean;
  /**
   * Calls `handler` with the paths that changed under `paths` (files or directories, watched
   * recursively; relative paths are relative to the state root; a path that does not exist yet
   * is watched for), debounced. One watcher in the kernel serves every plugin; calls of one
   * handler never overlap. Undone when the plugin unloads.
   */
  watch(paths: string | readonly string[], handler: WatchHandler, options?: WatchOptions): WatchHandle;
  /**
   * `text` with every secret the kernel knows scrubbed out — the config's credentials and the vault
   * values it references — for anything a plugin writes where people read: prompt logs, reports.
   * (`ctx.log` does this already.)
   */
  redact(text: string): string;
  /**
   * `service`: the long-running kernel (`aleph start`, or an app embedding the kernel), where
   * background work belongs — recovering interrupted work, pollers. `command`: a kernel started in
   * a CLI process for one command, gone when it ends.
   */
  readonly kernelRole: "service" | "command";
  /**
   * Runs `handler` once the kernel is ready (after kernel.ready), or soon after setup when it is
   * already — a plugin loaded later, a reload: for background work that must not delay the start
   * (catching up, indexing). Nothing awaits it; its failure is reported like an event handler's
   * (\`plugin.error\`). Not run when the plugin unloads first, nor in a kernel that stops before
   * it is ready.
   */
  onReady(handler: () => void | Promise<void>): Disposable;
  /** Other plugins' manifest contributions (`[contributes]`), read-only. */
  readonly plugins: PluginDirectory;
  /**
   * The value at a dotted key path of config.toml (or, with `{ file: "providers" }`,
   * providers.toml) as in force now, or undefined when it is not set. Read-only (a copy), and
   * redacted: a secret-named key (api_key, token, password…) and any value that holds a secret
   * read from the vault or the file come back as "[redacted]".
   */
  configValue(path: string, options?: ConfigValueOptions): unknown;
  /**
   * Where the value at a dotted key path comes from, as written in its file: `keys:<name>` (the
   * vault), `env:<NAME>` (a `${NAME}` reference), `file` (a literal), or undefined when the key is
   * not set. Never the value: a listing can say where a credential comes from without holding it.
   */
  configOrigin(path: string, options?: ConfigValueOptions): string | undefined;
}
