import { resolve } from "node:path";
import { AlephError, compareStrings, CONTRIBUTION_KEY_PATTERN, CONTRIBUTION_KEY_RULE, type PluginContribution, type PluginInfo, type PluginManifest, type PluginSource } from "@aleph/plugin-sdk";
import { readCandidate } from "./discovery.js";
import { SOURCE_PRECEDENCE } from "./paths.js";
import type { PluginInstance } from "./plugin-instance.js";

/** What the contributions reader needs of the host. */
export interface ContributorView {
  list(): PluginInfo[];
  instanceOf(id: string): PluginInstance | undefined;
}

/**
 * What the plugins contribute under `name` (`ctx.plugins.contributions`). Counted: every active
 * plugin, with the manifest of the generation that runs (a broken edit on disk changes nothing
 * until it loads), and every plugin a kernel started for one command left out although
 * `aleph start` would load it (`inactive`), from its manifest on disk — so a command sees the same
 * contributions with and without a running kernel. Not counted: failed, disabled and overridden
 * plugins. Strongest source first, then by id.
 */
export function contributionsOf(host: ContributorView, name: string): PluginContribution[] {
  if (typeof name !== "string" || !CONTRIBUTION_KEY_PATTERN.test(name)) {
    throw new AlephError("ALEPH_E_USAGE", `invalid contribution name ${JSON.stringify(name)}`, { fix: `use ${CONTRIBUTION_KEY_RULE}` });
  }
  const out: PluginContribution[] = [];
  for (const row of host.list()) {
    if (row.runningInstead) continue;
    let found: { manifest: PluginManifest; dir: string; source: PluginSource } | undefined;
    if (row.status === "active") {
      const instance = host.instanceOf(row.id);
      if (instance) found = { manifest: instance.manifest, dir: instance.dir, source: instance.source };
    } else if (row.status === "inactive") {
      const manifest = readCandidate(row.source, row.path)?.manifest;
      if (manifest) found = { manifest, dir: row.path, source: row.source };
    }
    if (!found || !Object.prototype.hasOwnProperty.call(found.manifest.contributes, name)) continue;
    const values = found.manifest.contributes[name]!;
    const dir = found.dir;
    if (values.length > 0) out.push({ plugin: row.id, source: found.source, dir, values: [...values], paths: values.map((v) => resolve(dir, v)) });
  }
  return out.sort((a, b) => SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source] || compareStrings(a.plugin, b.plugin));
}
