import { AlephError, type PluginManifest } from "@aleph/plugin-sdk";
import { discoverPlugins } from "@aleph/kernel";

/**
 * A plugin directory's aleph_plugin.toml as the host reads it — validated, defaults filled in
 * (`commands`, `services`, …) — or its ALEPH_E_MANIFEST error. For tests that hold the manifest's
 * data against the code (a declared limit against the SDK's constant, a declared command against
 * its handler).
 */
export function readPluginManifest(dir: string): PluginManifest {
  const candidate = [...discoverPlugins([], [dir]).winners.values()][0];
  if (!candidate) throw new AlephError("ALEPH_E_MANIFEST", `no aleph_plugin.toml in ${dir}`);
  if (!candidate.manifest) throw candidate.error ?? new AlephError("ALEPH_E_MANIFEST", `cannot read the manifest in ${dir}`);
  return candidate.manifest;
}
