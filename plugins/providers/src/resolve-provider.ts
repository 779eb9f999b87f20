import { AlephError } from "@aleph/plugin-sdk";
import type { ProviderConfig } from "./config.js";
import { loadBuiltinAdapter } from "./protocols/builtins.js";
import { applyOverrides, type ProtocolRegistry } from "./protocols/registry.js";
import type { ResolvedProvider } from "./resolved-provider.js";

/*
 * A provider's table of providers.toml made callable: its protocol looked up, its endpoint put
 * together (base URL, model, key, headers), and every problem a request would only discover later
 * — an unknown protocol, no model, no key where the protocol needs one — said now, naming the
 * table and the fix.
 */

export async function resolveProvider(name: string, config: ProviderConfig, protocols: ProtocolRegistry, model?: string): Promise<ResolvedProvider> {
  const table = `providers.toml [providers.${name}]`;
  const choice = protocols.lookup(config.protocol);
  if (!choice) {
    const broken = protocols.brokenDefinitionOf(config.protocol);
    throw new AlephError("ALEPH_E_PROVIDER_CONFIG", broken
      ? `${table} uses protocol "${config.protocol}", whose file ${broken.file} is invalid: ${broken.error.message}`
      : `${table} names protocol "${config.protocol}", which is not known (known: ${protocols.names().join(", ")})`, {
      fix: broken ? `fix ${broken.file} (aleph protocols validate ${broken.file})` : "use anthropic, openai or ollama, or define it in protocols/<name>.yaml",
    });
  }
  const { overrides } = choice;
  const adapter = await loadBuiltinAdapter(choice.base);
  const chosenModel = model ?? config.model ?? overrides?.model;
  if (!chosenModel) throw new AlephError("ALEPH_E_PROVIDER_CONFIG", `${table} has no model`, { fix: `add model = "…" to ${table}` });
  const baseUrl = (config.base_url ?? adapter.defaultBaseUrl).replace(/\/+$/, "");
  const endpoint = applyOverrides(
    {
      provider: name,
      baseUrl,
      model: chosenModel,
      ...(config.api_key ? { apiKey: config.api_key } : {}),
      headers: config.headers,
      extraBody: config.extra,
      reasoning: config.reasoning,
      ...(config.num_ctx !== undefined ? { numCtx: config.num_ctx } : {}),
    },
    overrides,
    config.base_url !== undefined,
  );
  // The hosted APIs refuse every request without a key: say so before sending one. A local
  // OpenAI-compatible server usually needs none, so only the vendors' own hosts are checked.
  const hosted = /^https:\/\/api\.(anthropic|openai)\.com(\/|$)/.test(endpoint.baseUrl);
  if (hosted && !endpoint.apiKey) {
    throw new AlephError("ALEPH_E_PROVIDER_AUTH", `${table} has no api_key, and ${endpoint.baseUrl} requires one`, {
      fix: `add api_key = "\${ENV_VAR}" or "keys:<name>" (aleph keys set <name>) to ${table}`,
    });
  }
  return {
    name,
    protocol: config.protocol,
    adapter,
    endpoint,
    limits: { timeoutMs: config.timeout_ms, firstTokenTimeoutMs: config.first_token_timeout_ms, maxRetries: config.max_retries },
  };
}
