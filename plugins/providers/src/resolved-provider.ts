import type { Endpoint, ProtocolAdapter } from "./protocols/protocol.js";

/** A provider ready to call: its adapter, its endpoint (key resolved) and its clocks. */
export interface ResolvedProvider {
  name: string;
  /** The protocol as configured (a built-in or a custom protocol's name). */
  protocol: string;
  adapter: ProtocolAdapter;
  endpoint: Endpoint;
  limits: { timeoutMs: number; firstTokenTimeoutMs: number; maxRetries: number };
}

/** The cooldown key: a provider cools down per model (another model of the same endpoint may be fine). */
export function cooldownKey(provider: ResolvedProvider): string {
  return `${provider.name}/${provider.endpoint.model}`;
}
