import type { PluginCandidate } from "./discovery.js";

/**
 * What a kernel started for one command loads: the named plugins, the providers of the named
 * services, and everything those require, transitively. Plugins marked `daemon` (listeners,
 * pollers) never load in such a kernel: `aleph sessions list` must not bind a gateway's port.
 */
export interface LoadScope {
  plugins?: string[];
  services?: string[];
  /** Every plugin that is not a daemon (`aleph services list` without a running kernel). */
  allButDaemons?: boolean;
}

/** The ids a scoped kernel loads, from the manifests alone (no plugin code runs). */
export function scopedPluginIds(winners: Map<string, PluginCandidate>, scope: LoadScope): Set<string> {
  const selected = new Set<string>();
  const wantedServices = new Set<string>();
  const addPlugin = (id: string): void => {
    const manifest = winners.get(id)?.manifest;
    if (selected.has(id) || !manifest || manifest.daemon) return;
    selected.add(id);
    for (const service of manifest.services.requires) addService(service);
  };
  const addService = (service: string): void => {
    if (wantedServices.has(service)) return;
    wantedServices.add(service);
    for (const [id, candidate] of winners) if (candidate.manifest?.services.provides.includes(service)) addPlugin(id);
  };
  for (const id of scope.allButDaemons ? winners.keys() : []) addPlugin(id);
  for (const id of scope.plugins ?? []) addPlugin(id);
  for (const service of scope.services ?? []) addService(service);
  return selected;
}
