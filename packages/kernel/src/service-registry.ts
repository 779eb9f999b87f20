import { compareStrings, toDisposable, type Disposable, type PluginSource } from "@aleph/plugin-sdk";
import { SOURCE_PRECEDENCE } from "./paths.js";

/** One plugin's implementation of one service. */
export interface ServiceProvider {
  serviceId: string;
  pluginId: string;
  generation: number;
  priority: number;
  source: PluginSource;
  implementation: unknown;
}

export interface ServiceInfo {
  id: string;
  /** The plugin whose implementation `get` returns. */
  boundTo: string;
  providers: { plugin: string; priority: number; source: PluginSource }[];
}

/** Better provider first: higher priority, then stronger source, then id. */
function compareProviders(a: ServiceProvider, b: ServiceProvider): number {
  return b.priority - a.priority || SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source] || compareStrings(a.pluginId, b.pluginId);
}

/**
 * Active providers of each service. The bound provider is the best by (priority, source, id);
 * when it goes, the next one is bound on the next lookup, so fail-over needs no bookkeeping here.
 */
export class ServiceRegistry {
  #providers = new Map<string, ServiceProvider[]>();

  add(provider: ServiceProvider): Disposable {
    const list = [...(this.#providers.get(provider.serviceId) ?? []), provider].sort(compareProviders);
    this.#providers.set(provider.serviceId, list);
    return toDisposable(() => {
      const rest = (this.#providers.get(provider.serviceId) ?? []).filter((p) => p !== provider);
      if (rest.length === 0) this.#providers.delete(provider.serviceId);
      else this.#providers.set(provider.serviceId, rest);
    });
  }

  bound(serviceId: string): ServiceProvider | undefined {
    return this.#providers.get(serviceId)?.[0];
  }

  providedBy(pluginId: string): string[] {
    return [...this.#providers].filter(([, list]) => list.some((p) => p.pluginId === pluginId)).map(([id]) => id);
  }

  list(): ServiceInfo[] {
    return [...this.#providers]
      .map(([id, list]) => ({
        id,
        boundTo: list[0]!.pluginId,
        providers: list.map((p) => ({ plugin: p.pluginId, priority: p.priority, source: p.source })),
      }))
      .sort((a, b) => compareStrings(a.id, b.id));
  }
}
