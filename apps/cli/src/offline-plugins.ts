import { AlephError, PLUGIN_API_VERSION } from "@aleph/plugin-sdk";
import {
  describePlugin,
  discoverPlugins,
  losingCopies,
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
 * manifests, api ranges, entry files (all three decided by discovery, as in the host, including
 * which copy of an id runs when a stronger one cannot), dependencies, cycles. No plugin code runs,
 * so a plugin reported `active` here is one that would be loaded; setup-time failures only show
 * once it runs.
 */
export function listPluginsOffline(paths: AlephPaths, bundled: BundledPlugin[], env: NodeJS.ProcessEnv): PluginInfo[] {
  const config = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  const ext = config.ok ? config.snapshot.config.extensions : { enabled: true, disabled: [] as string[] };
  const found = discoverPlugins(ext.enabled ? pluginSearchPaths(paths) : [], bundled, { hostApi: PLUGIN_API_VERSION });
  const disabled = new Set(ext.disabled);
  const failures = new Map<string, AlephError>();
  for (const [id, candidate] of found.winners) if (!disabled.has(id) && candidate.error) failures.set(id, candidate.error);
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
  out.push(...losingCopies(found));
  return sortInfos(out);
}
