import { PLUGIN_API_VERSION, type PluginInfo, type PluginSource, type PluginStatus } from "@aleph/plugin-sdk";
import { assessmentRows, assessPlugins, readQuarantine, loadConfig, pluginSearchPaths, scanPlugins, vaultOptions, type AlephPaths, type Assessment, type BundledPlugin } from "@aleph/kernel";

/**
 * The kernel's static assessment of every plugin on this root: what `aleph start` would load and
 * why not (see assessPlugins). No plugin code runs. `plugins list` without a kernel, `config
 * check` and `doctor` all print this one answer. A config that does not validate counts as the
 * defaults here; `config check` and `doctor` report it on its own.
 */
export function assessOffline(paths: AlephPaths, bundled: BundledPlugin[], env: NodeJS.ProcessEnv): Assessment {
  const config = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  const ext = config.ok ? config.snapshot.config.extensions : { enabled: true, disabled: [] as string[] };
  return assessPlugins(scanPlugins(pluginSearchPaths(paths), bundled), ext, { hostApi: PLUGIN_API_VERSION, quarantine: readQuarantine(paths.runDir) });
}

/** `aleph plugins list` without a running kernel: the assessment as rows (`active` = would load). */
export function listPluginsOffline(paths: AlephPaths, bundled: BundledPlugin[], env: NodeJS.ProcessEnv): PluginInfo[] {
  return assessmentRows(assessOffline(paths, bundled, env));
}

/** One plugin's verdict, as `doctor` and `config check` print it (`plugins list` shows the same in its columns). */
export interface PluginVerdict {
  id: string;
  source: PluginSource;
  path: string;
  status: PluginStatus;
  /** Why it fails (failed rows only). */
  code?: string;
  /** The verdict in words: "would load", "disabled by …", "overridden by …", or the failure. */
  message: string;
  fix?: string;
}

export function verdictOf(row: PluginInfo): PluginVerdict {
  const base = { id: row.id, source: row.source, path: row.path, status: row.status };
  switch (row.status) {
    case "failed": {
      const error = row.error ?? { code: "ALEPH_E_NOT_LOADED", message: "not loaded" };
      const instead = row.runningInstead ? `; the ${row.runningInstead.source} copy (${row.runningInstead.path}) runs instead` : "";
      return { ...base, code: error.code, message: `${error.code}: ${error.message}${instead}`, ...(error.fix ? { fix: error.fix } : {}) };
    }
    case "disabled":
      return { ...base, message: row.disabledBy === "extensions.enabled" ? "disabled: [extensions] enabled = false" : "disabled: listed in [extensions] disabled" };
    case "overridden":
      return { ...base, message: `overridden by the ${row.overriddenBy?.source} copy (${row.overriddenBy?.path})` };
    default:
      return { ...base, message: row.status === "active" ? "would load" : row.status };
  }
}
