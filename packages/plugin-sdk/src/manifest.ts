/** Where a plugin was found, highest precedence first: user > system > project > bundled. */
export type PluginSource = "user" | "system" | "project" | "bundled";

/** How a plugin's code runs. */
export type PluginKind = "node" | "wasm";

import type { CommandDeclaration } from "./commands.js";

/**
 * A plugin's status as `aleph plugins list` reports it. `inactive` appears only in a kernel
 * started for one command: the plugin would load under `aleph start` but this kernel did not need it.
 */
export type PluginStatus = "active" | "failed" | "disabled" | "overridden" | "inactive";

export interface ManifestHook {
  event: string;
  handler: string;
}

export interface ManifestTool {
  name: string;
  description: string;
  handler: string;
  parameters: Record<string, unknown>;
}

/**
 * A validated `aleph_plugin.toml`, with keys in camelCase. It holds everything the host needs
 * before running plugin code: discovery, ordering, validation and listing never execute a plugin.
 */
export interface PluginManifest {
  id: string;
  version: string;
  name: string;
  description: string;
  kind: PluginKind;
  /** Entry file relative to the plugin directory. */
  entry: string;
  /**
   * The module the CLI imports to run the plugin's commands (`[plugin] commands_entry`), relative to
   * the plugin directory; default the entry. A small module of handlers alone keeps a command that
   * talks to a running kernel from loading the plugin's whole code (its schemas, its libraries).
   */
  commandsEntry?: string;
  /** Semver range of the plugin API the plugin supports. */
  api: string;
  /** Higher wins among providers of the same service. */
  priority: number;
  /** The config.toml section the plugin owns. */
  configKey: string;
  /**
   * Where the JSON Schema of that section is, relative to the plugin directory (default
   * dist/config.schema.json, which the SDK's writeConfigSchema writes at build time): config
   * check, doctor, init and `aleph config schema` read it instead of running plugin code.
   */
  configSchema: string;
  services: { provides: string[]; requires: string[]; optional: string[] };
  permissions: { allowedPaths: Record<string, string>; allowedHosts: string[] };
  limits: { timeoutMs?: number; memoryMb?: number };
  hooks: ManifestHook[];
  tools: ManifestTool[];
  /** Commands it adds to the `aleph` CLI (`[[commands]]`). */
  commands: CommandDeclaration[];
  /**
   * Runs only under `aleph start` (listeners, pollers): a kernel started for one command never
   * loads it (`[plugin] daemon = true`).
   */
  daemon: boolean;
  /** Its definition contributes `aleph doctor` checks (`[plugin] doctor = true`). */
  doctor: boolean;
  /**
   * Data it contributes for other plugins to read (`[contributes]`): a name (`skills`) → paths
   * relative to the plugin directory. Read through `ctx.plugins.contributions(name)`.
   */
  contributes: Record<string, string[]>;
}

/**
 * A plugin as `aleph plugins list --json`, `aleph status` and the test kit report it.
 * A public contract: fields are only ever added.
 */
export interface PluginInfo {
  id: string;
  version: string;
  kind: PluginKind;
  source: PluginSource;
  /** The plugin directory. */
  path: string;
  status: PluginStatus;
  /** Why it failed (or, while active, why its last reload failed). */
  error?: { code: string; message: string; file?: string; line?: number; fix?: string };
  overriddenBy?: { source: PluginSource; path: string };
  /**
   * Set on a copy that failed before setup (manifest, api, entry) while a weaker copy of the same
   * id — this one — runs instead. Such a row has status `failed` but is not the id's plugin.
   */
  runningInstead?: { source: PluginSource; path: string };
  /** Generation of the running code (active plugins). */
  generation?: number;
  /**
   * How long the running generation took to load, in milliseconds: importing its code (module
   * graph, or compiling the .wasm) and running its setup. Active plugins only.
   */
  timings?: { importMs: number; setupMs: number };
  /**
   * Set on a `disabled` plugin: the config key that turns it off — `extensions.disabled` (its id
   * is listed there) or `extensions.enabled` (false: no user, system or project plugin loads).
   */
  disabledBy?: "extensions.disabled" | "extensions.enabled";
  priority: number;
  provides: string[];
  requires: string[];
  optional: string[];
}

/** The manifest file names a plugin directory may hold, in order of preference. */
export const MANIFEST_FILE_NAMES = ["aleph_plugin.toml", "aleph.plugin.toml"] as const;

/** The plugin API version this SDK describes; manifests declare the range they support in `api`. */
export const PLUGIN_API_VERSION = "1.0.0";
