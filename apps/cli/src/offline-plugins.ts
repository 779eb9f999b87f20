import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { AlephError, PLUGIN_API_VERSION } from "@aleph/plugin-sdk";
import {
  checkApi,
  describePlugin,
  discoverPlugins,
  loadConfig,
  vaultOptions,
  planLoadOrder,
  pluginSearchPaths,
  sortInfos,
  type AlephPaths,
  type BundledPlugin,
  type PluginInfo,
} from "@aleph/kernel";

/**
 * `aleph plugins list` without a running kernel: discovery and static validation only —
 * manifests, api ranges, entry files, dependencies, cycles. No plugin code runs, so a plugin
 * reported `active` here is one that would be loaded; setup-time failures only show once it runs.
 */
export function listPluginsOffline(paths: AlephPaths, bundled: BundledPlugin[], env: NodeJS.ProcessEnv): PluginInfo[] {
  const config = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  const ext = config.ok ? config.snapshot.config.extensions : { enabled: true, disabled: [] as string[] };
  const found = discoverPlugins(ext.enabled ? pluginSearchPaths(paths) : [], bundled);
  const disabled = new Set(ext.disabled);
  const failures = new Map<string, AlephError>();
  for (const [id, candidate] of found.winners) {
    if (disabled.has(id)) continue;
    const error = candidate.error ?? checkApi(candidate.manifest!, PLUGIN_API_VERSION, candidate.manifestFile);
    if (error) failures.set(id, error);
    else if (!candidate.inline && !existsSync(resolve(candidate.dir, candidate.manifest!.entry))) {
      failures.set(id, new AlephError("ALEPH_E_ENTRY", `entry "${candidate.manifest!.entry}" does not exist`, { file: resolve(candidate.dir, candidate.manifest!.entry), fix: "build the plugin" }));
    }
  }
  const valid = [...found.winners.values()].filter((c) => c.manifest && !disabled.has(c.id) && !failures.has(c.id));
  const plan = planLoadOrder(valid.map((c) => ({ id: c.id, ...c.manifest!.services })));
  for (const [id, cycle] of plan.cycles) {
    failures.set(
      id,
      new AlephError("ALEPH_E_CYCLE", `plugins ${cycle.map((c) => `"${c}"`).join(" → ")} → "${cycle[0]}" require each other's services in a cycle`, {
        file: found.winners.get(id)!.manifestFile,
        fix: "break the cycle: make one of the requires optional, or move the shared service into its own plugin",
      }),
    );
  }
  // Walk the load order so that a dependent of a failing provider fails too.
  const provided = new Set<string>();
  for (const id of plan.order) {
    const manifest = found.winners.get(id)!.manifest!;
    const missing = manifest.services.requires.find((s) => !provided.has(s));
    if (missing) {
      failures.set(
        id,
        new AlephError("ALEPH_E_DEPENDENCY", `plugin "${id}" requires service "${missing}", which no loadable plugin provides`, {
          file: found.winners.get(id)!.manifestFile,
          fix: `install, enable or fix a plugin that provides "${missing}"`,
        }),
      );
    }
    else for (const s of manifest.services.provides) provided.add(s);
  }
  const out: PluginInfo[] = [];
  for (const [id, candidate] of found.winners) {
    const status = disabled.has(id) ? "disabled" : failures.has(id) ? "failed" : "active";
    out.push(describePlugin(candidate, status, failures.get(id)));
  }
  for (const { candidate, by } of found.overridden) out.push({ ...describePlugin(candidate, "overridden"), overriddenBy: { source: by.source, path: by.dir } });
  for (const candidate of found.duplicates) out.push(describePlugin(candidate, "failed", candidate.error));
  return sortInfos(out);
}
