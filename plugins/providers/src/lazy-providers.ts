import type { ModelCallOptions, ModelRequest, ModelStreamEvent, ProvidersService } from "@aleph/plugin-sdk";
import { Cooldowns } from "./calls/cooldowns.js";
import { listProviders } from "./provider-list.js";
import type { ProvidersServiceDeps } from "./providers-service.js";
import { runtimeModule } from "./runtime-module.js";

/**
 * The `providers` service as the plugin offers it at start: listing is here, and the calling code
 * (retries, failover, resolution, the adapters) is imported on the first call, so `aleph start`
 * pays for none of it — a kernel that never talks to a model never loads it.
 */
export function lazyProvidersService(deps: Omit<ProvidersServiceDeps, "cooldowns">): ProvidersService {
  const cooldowns = new Cooldowns();
  let service: Promise<ProvidersService> | undefined;
  const load = () => (service ??= runtimeModule().then((m) => m.createProvidersService({ ...deps, cooldowns })));
  return {
    list: () => listProviders(deps.config(), deps.protocols, cooldowns, deps.keyOrigin),
    async *stream(request: ModelRequest, options?: ModelCallOptions): AsyncGenerator<ModelStreamEvent> {
      yield* (await load()).stream(request, options);
    },
    complete: async (request, options) => (await load()).complete(request, options),
    test: async (name, options) => (await load()).test(name, options),
    embed: async (texts, options) => (await load()).embed(texts, options),
  };
}
