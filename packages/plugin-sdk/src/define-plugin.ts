import type { CommandHandler } from "./commands.js";
import type { DoctorHandler } from "./doctor.js";
import type { PluginContext } from "./context.js";
import type { StandardSchemaV1 } from "./schema.js";

/**
 * A Node plugin: a plain object. `config` validates the plugin's config.toml section;
 * `setup` receives the scoped context. Everything registered through the context is undone,
 * last-in-first-out, when the plugin unloads.
 */
export interface PluginDefinition<Config = Record<string, unknown>> {
  config?: StandardSchemaV1<unknown, Config>;
  setup(ctx: PluginContext<Config>): void | Promise<void>;
  /**
   * Handlers of the commands the manifest declares in `[[commands]]`, by their words
   * (`"sessions show"`). They run in the `aleph` process with a kernel handle, not in setup's context.
   */
  commands?: Record<string, CommandHandler>;
  /** Checks for `aleph doctor` (the manifest sets `[plugin] doctor = true`); they run in a child process with a time limit. */
  doctor?: DoctorHandler;
}

/** Adds types to a plugin object and returns it unchanged. */
export function definePlugin<Config = Record<string, unknown>>(definition: PluginDefinition<Config>): PluginDefinition<Config> {
  return definition;
}

/** True when a module's default export has the shape of a plugin. */
export function isPluginDefinition(value: unknown): value is PluginDefinition<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { setup?: unknown }).setup === "function";
}
