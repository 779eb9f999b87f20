import { loadConfig, vaultOptions, type AlephPaths } from "@aleph/kernel";

/** `[extensions]` in force: a config that does not load counts as the defaults (the config check reports it). */
export function readExtensions(paths: AlephPaths, env: NodeJS.ProcessEnv): { enabled: boolean; disabled: string[] } {
  const loaded = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  const ext = loaded.ok ? loaded.snapshot.config.extensions : { enabled: true, disabled: [] };
  return { enabled: ext.enabled, disabled: ext.disabled };
}
