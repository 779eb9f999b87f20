import { AlephError, modelError, type Logger, type ModelErrorInfo } from "@aleph/plugin-sdk";
import type { WireRequest } from "../protocols/protocol.js";
import { parseJson } from "../protocols/json-fields.js";
import type { ResolvedProvider } from "../resolved-provider.js";
import { ClockExpired, explainAbort, type FetchLike } from "./attempt.js";
import { retryDelay, sleep, type BackoffPolicy } from "./backoff.js";

/*
 * One embeddings call to one provider, retried as a model call is: on what waiting may fix (408,
 * 429, 5xx, a network error, timeout_ms running out) up to the provider's max_retries, with the
 * same backoff and Retry-After rules, every attempt under timeout_ms. This is the one place an
 * embeddings request is retried (memory's embedder does not retry on top), so a failing batch
 * costs at most 1 + max_retries requests. No failover: vectors of two models do not mix.
 */

export interface EmbedCallDeps {
  fetch: FetchLike;
  backoff: BackoffPolicy;
  log: Logger;
}

const WAITING_HELPS = new Set<ModelErrorInfo["kind"]>(["retryable", "timeout"]);

type Attempt = { ok: true; json: unknown } | { ok: false; error: ModelErrorInfo };

/** The vectors of `texts` from `provider` (resolved with its embedding model); rejects with a modelError. */
export async function embedWithRetries(provider: ResolvedProvider, texts: string[], signal: AbortSignal | undefined, deps: EmbedCallDeps): Promise<number[][]> {
  const { adapter, endpoint } = provider;
  if (!adapter.buildEmbedRequest || !adapter.parseEmbedResponse) {
    throw new AlephError("ALEPH_E_PROVIDER_CONFIG", `provider "${provider.name}" (protocol ${provider.protocol}) has no embeddings`, { fix: "embed through an openai or ollama provider" });
  }
  const wire = adapter.buildEmbedRequest(texts, endpoint.model, endpoint);
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptEmbed(provider, wire, signal, deps.fetch);
    if (outcome.ok) return adapter.parseEmbedResponse(outcome.json);
    const failure = outcome.error;
    if (!WAITING_HELPS.has(failure.kind) || attempt >= provider.limits.maxRetries) throw modelError(failure);
    const delay = retryDelay(attempt + 1, failure.retryAfterMs, deps.backoff);
    if (delay === undefined) {
      deps.log.warn("provider asks to wait longer than an embeddings call should; giving up", { provider: provider.name, retryAfterMs: failure.retryAfterMs });
      throw modelError(failure);
    }
    deps.log.info("retrying embeddings call", { provider: provider.name, attempt: attempt + 1, delayMs: delay, status: failure.status, reason: failure.message });
    try {
      await sleep(delay, signal);
    } catch {
      throw modelError({ kind: "cancelled", code: "ALEPH_E_CANCELLED", message: "the embeddings call was cancelled", provider: provider.name });
    }
  }
}

/** One request under timeout_ms: the JSON answer, or why it failed (classified as a model call's failure is). */
async function attemptEmbed(provider: ResolvedProvider, wire: WireRequest, signal: AbortSignal | undefined, fetchImpl: FetchLike): Promise<Attempt> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onOuterAbort, { once: true });
  const { timeoutMs } = provider.limits;
  const timer = setTimeout(() => controller.abort(new ClockExpired("request", timeoutMs)), timeoutMs);
  try {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(wire.url, { method: "POST", headers: wire.headers, body: wire.body, signal: controller.signal });
      text = await response.text();
    } catch (error) {
      return { ok: false, error: explainAbort(controller.signal, provider, error) };
    }
    if (!response.ok) return { ok: false, error: { ...provider.adapter.parseError(response.status, text, response.headers, provider.endpoint), provider: provider.name } };
    const parsed = parseJson(text);
    if (!parsed.ok) {
      // Not quoted: a misconfigured proxy may echo the request, key included.
      throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${provider.name} (${provider.endpoint.baseUrl}) answered an embeddings request with HTTP ${response.status} and a body that is not JSON`, {
        fix: `check base_url of [providers.${provider.name}] in providers.toml: it must point at the API itself, not a web page or proxy login`,
      });
    }
    return { ok: true, json: parsed.value };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onOuterAbort);
  }
}
