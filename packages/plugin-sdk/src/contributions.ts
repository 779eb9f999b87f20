import type { KernelStatusView } from "./commands.js";
import type { PluginSource } from "./manifest.js";

/**
 * A contribution name in `[contributes]`: a lowercase word (letters, digits, `_`, `-`), e.g.
 * `skills` or `protocols`. The reader and the declaring plugins agree on it by convention.
 */
export const CONTRIBUTION_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** How a contribution name may look, for error messages. */
export const CONTRIBUTION_KEY_RULE = "a lowercase word: letters, digits, _ and -, starting with a letter, at most 64 (e.g. skills)";

/**
 * What one plugin contributes under one name (`[contributes] <name> = ["dir/", …]` in its manifest),
 * as `ctx.plugins.contributions(name)` returns it.
 */
export interface PluginContribution {
  /** The declaring plugin's id. */
  plugin: string;
  /** Where it was found: readers that resolve clashes (two plugins contributing one skill) prefer the stronger source. */
  source: PluginSource;
  /** The declaring plugin's directory. */
  dir: string;
  /** The values as written in the manifest: paths relative to `dir`. */
  values: string[];
  /** The same values resolved against `dir` (absolute). They may not exist: the reader decides what a missing one means. */
  paths: string[];
}

/** Other plugins as a plugin may see them: read-only, data from their manifests. */
export interface PluginDirectory {
  /**
   * What the active plugins (and, in a kernel started for one command, the plugins it left out
   * that `aleph start` would load) contribute under `name`: strongest source first (user, system,
   * project, bundled), then by id. Read it again on `plugin.loaded` and `plugin.unloaded`.
   */
  contributions(name: string): PluginContribution[];
  /**
   * The kernel's state as `aleph status --json` shows it: pid, root, start time, every plugin with
   * its status (a failed one with its code, message and fix) and the services. Secrets scrubbed.
   * For plugins that show the kernel to people (the gateway's control page).
   */
  status(): KernelStatusView;
}
