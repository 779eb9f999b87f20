import {
  AlephError,
  isAlephError,
  modelError,
  type EmbedOptions,
  type EmbedResult,
  type Logger,
  type ModelCallOptions,
  type ModelErrorInfo,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamEvent,
  type ProviderInfo,
  type ProvidersService,
  type ProviderTestResult,
} from "@aleph/plugin-sdk";
import { DEFAULT_BACKOFF, type BackoffPolicy } from "./calls/backoff.js";
import type { FetchLike } from "./calls/attempt.js";
import { Cooldowns } from "./calls/cooldowns.js";
import { embedWithRetries } from "./calls/embed-call.js";
import { callWithFailover } from "./calls/failover.js";
import type { ProvidersConfig } from "./config.js";
import type { ProtocolRegistry } from "./protocols/registry.js";
import { resolveProvider } from "./resolve-provider.js";
import { cooldownKey, type ResolvedProvider } from "./resolved-provider.js";
import { listProviders } from "./provider-list.js";

export interface ProvidersServiceDeps {
  /** providers.toml's tables as in force now (hot-reloaded). */
  config: () => ProvidersConfig;
  protocols: ProtocolRegistry;
  /** Where a provider's key comes from, as ctx.configOrigin says it (`keys:x`, `env:X`, `file`), never the key. */
  keyOrigin: (provider: string) => string | undefined;
  log: Logger;
  fetch?: FetchLike;
  backoff?: BackoffPolicy;
  cooldowns?: Cooldowns;
}


const configError = (error: unknown): ModelErrorInfo => ({
  kind: "config",
  code: isAlephError(error) ? error.code : "ALEPH_E_PROVIDER_CONFIG",
  message: (error as Error).message,
  ...(isAlephError(error) && error.fix ? { fix: error.fix } : {}),
});

export function createProvidersService(deps: ProvidersServiceDeps): ProvidersService {
  const cooldowns = deps.cooldowns ?? new Cooldowns();
  const fetchImpl: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  const failoverDeps = { fetch: fetchImpl, cooldowns, backoff: deps.backoff ?? DEFAULT_BACKOFF, log: deps.log };

  /** The providers a call goes through, in order, each resolved; the problems of those that could not be. */
  async function chooseProviders(options: ModelCallOptions, model: string | undefined): Promise<{ providers: ResolvedProvider[]; problems: ModelErrorInfo[] }> {
    const config = deps.config();
    const known = Object.keys(config);
    const named = options.provider !== undefined ? [options.provider] : options.providers ?? known.filter((n) => config[n]!.enabled);
    const providers: ResolvedProvider[] = [];
    const problems: ModelErrorInfo[] = [];
    for (const name of named) {
      const entry = config[name];
      if (!entry) {
        problems.push({ kind: "config", code: "ALEPH_E_PROVIDER_CONFIG", message: `no provider "${name}" in providers.toml (known: ${known.join(", ") || "none"})`, provider: name, fix: `add [providers.${name}] to providers.toml, or fix the name` });
        continue;
      }
      if (!entry.enabled) {
        problems.push({ kind: "config", code: "ALEPH_E_PROVIDER_CONFIG", message: `provider "${name}" is disabled (enabled = false in providers.toml)`, provider: name, fix: `set enabled = true in [providers.${name}]` });
        continue;
      }
      try {
        providers.push(await resolveProvider(name, entry, deps.protocols, model));
      } catch (error) {
        problems.push({ ...configError(error), provider: name });
      }
    }
    if (named.length === 0) {
      problems.push({ kind: "config", code: "ALEPH_E_PROVIDER_NONE", message: "no provider is configured", fix: "add one to providers.toml ([providers.<name>] protocol, model, api_key), see README" });
    }
    return { providers, problems };
  }

  async function* stream(request: ModelRequest, options: ModelCallOptions = {}): AsyncGenerator<ModelStreamEvent> {
    const { providers, problems } = await chooseProviders(options, request.model);
    for (const problem of problems) deps.log.warn("provider skipped", { provider: problem.provider, reason: problem.message });
    if (providers.length === 0) {
      yield { type: "error", error: problems[0]! };
      return;
    }
    yield* callWithFailover(providers, request, signalOf(options), failoverDeps);
  }

  async function complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    for await (const event of stream(request, options)) {
      if (event.type === "done") return event.response;
      if (event.type === "error") throw modelError(event.error);
    }
    throw new AlephError("ALEPH_E_PROVIDER_STREAM", "the model call ended without an answer");
  }

  return {
    list: () => listProviders(deps.config(), deps.protocols, cooldowns, deps.keyOrigin),
    stream,
    complete,
    async test(name: string, options: { signal?: AbortSignal } = {}): Promise<ProviderTestResult> {
      const started = performance.now();
      let firstTokenMs: number | undefined;
      const request: ModelRequest = { messages: [{ role: "user", content: "Reply with the single word: ok" }], maxTokens: 16 };
      // One provider, no retries or cooldown bookkeeping of its own: the test reports what happens now.
      for await (const event of stream(request, { provider: name, ...(options.signal ? { signal: options.signal } : {}) })) {
        if (firstTokenMs === undefined && (event.type === "text" || event.type === "thinking")) firstTokenMs = performance.now() - started;
        const totalMs = Math.round(performance.now() - started);
        if (event.type === "done") {
          return {
            provider: name,
            model: event.response.model,
            ok: true,
            totalMs,
            ...(firstTokenMs !== undefined ? { firstTokenMs: Math.round(firstTokenMs) } : {}),
            ...(event.response.usage ? { usage: event.response.usage } : {}),
            text: event.response.text,
          };
        }
        if (event.type === "error") return { provider: name, model: deps.config()[name]?.model ?? "", ok: false, totalMs, error: event.error };
      }
      return { provider: name, model: "", ok: false, totalMs: Math.round(performance.now() - started) };
    },
    async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
      const config = deps.config();
      const named = options.provider !== undefined;
      const candidates = named ? [options.provider!] : Object.keys(config).filter((n) => config[n]!.enabled);
      for (const name of candidates) {
        const entry = config[name];
        const table = `[providers.${name}]`;
        if (!entry) throw new AlephError("ALEPH_E_PROVIDER_CONFIG", `no provider "${name}" in providers.toml`, { fix: `add ${table} to providers.toml, or fix the name` });
        // A provider named outright says why it cannot embed; one of many is just passed over.
        if (!entry.enabled) throw new AlephError("ALEPH_E_PROVIDER_CONFIG", `provider "${name}" is disabled (enabled = false in providers.toml)`, { fix: `set enabled = true in ${table}` });
        const model = options.model ?? entry.embedding_model;
        if (!model) {
          if (named) throw new AlephError("ALEPH_E_PROVIDER_CONFIG", `provider "${name}" has no embedding model`, { fix: `set embedding_model = "…" in ${table} of providers.toml` });
          continue;
        }
        const provider = await resolveProvider(name, entry, deps.protocols, model);
        if (!provider.adapter.buildEmbedRequest && !named) continue;
        if (texts.length === 0) return { provider: name, model, vectors: [] };
        return { provider: name, model, vectors: await embedWithRetries(provider, texts, signalOf(options), failoverDeps) };
      }
      throw new AlephError("ALEPH_E_PROVIDER_CONFIG", "no enabled provider offers embeddings", {
        fix: 'set embedding_model = "…" on an openai or ollama provider in providers.toml',
      });
    },
  };

  function signalOf(options: ModelCallOptions): AbortSignal | undefined {
    // A signal does not survive JSON (the control socket): only a real one counts.
    return options.signal instanceof AbortSignal ? options.signal : undefined;
  }
}

export { cooldownKey };
