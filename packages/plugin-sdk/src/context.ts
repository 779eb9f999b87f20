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
}
