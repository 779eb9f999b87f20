import type { ProviderInfo } from "@aleph/plugin-sdk";
import type { Cooldowns } from "./calls/cooldowns.js";
import type { ProvidersConfig } from "./config.js";
import type { ProtocolRegistry } from "./protocols/registry.js";

/** The kernel says `file` for a value written in the file; the contract calls it a literal. */
function keySourceOf(origin: string | undefined): string {
  return origin === undefined || origin === "file" ? "literal" : origin;
}

/** The providers as listed: where each key comes from, never the key; a cooldown when one is on. */
export function listProviders(config: ProvidersConfig, protocols: ProtocolRegistry, cooldowns: Cooldowns, keyOrigin: (provider: string) => string | undefined): ProviderInfo[] {
  return Object.entries(config).map(([name, entry]): ProviderInfo => {
    const model = entry.model ?? protocols.defaultModelOf(entry.protocol);
    const until = model ? cooldowns.coolingUntil(`${name}/${model}`) : undefined;
    return {
      name,
      protocol: entry.protocol,
      model: model ?? null,
      baseUrl: entry.base_url ?? "(protocol default)",
      enabled: entry.enabled,
      keySource: entry.api_key ? keySourceOf(keyOrigin(name)) : "none",
      reasoning: entry.reasoning,
      ...(until ? { coolingDownUntil: until } : {}),
    };
  });
}
