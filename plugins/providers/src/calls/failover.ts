import type { Logger, ModelErrorInfo, ModelRequest, ModelStreamEvent } from "@aleph/plugin-sdk";
import { cooldownKey, type ResolvedProvider } from "../resolved-provider.js";
import { attemptRequest, type FetchLike } from "./attempt.js";
import { retryDelay, sleep, type BackoffPolicy } from "./backoff.js";
import type { Cooldowns } from "./cooldowns.js";

/*
 * One model call through an ordered list of providers. Each provider gets its request retried with
 * backoff on failures that may pass (408, 429, 5xx, network, a slow first token, a cut stream); a
 * failure that will not pass by waiting (a bad key, no credit, an unknown model, a refused request)
 * moves on at once. A provider cooling down after repeated failures is tried last, once. Once any
 * of the answer has been streamed to the caller, a failure ends the call: the caller has shown it,
 * and a second provider's answer would be a different one.
 */

export interface FailoverDeps {
  fetch: FetchLike;
  cooldowns: Cooldowns;
  backoff: BackoffPolicy;
  log: Logger;
}

const WAITING_HELPS = new Set<ModelErrorInfo["kind"]>(["retryable", "timeout", "stream"]);

export async function* callWithFailover(providers: ResolvedProvider[], request: ModelRequest, signal: AbortSignal | undefined, deps: FailoverDeps): AsyncGenerator<ModelStreamEvent> {
  const ready = providers.filter((p) => deps.cooldowns.coolingUntil(cooldownKey(p)) === undefined);
  const cooling = providers.filter((p) => !ready.includes(p));
  const order = [...ready, ...cooling];
  let last: ModelErrorInfo | undefined;
  for (const [index, provider] of order.entries()) {
    const maxRetries = cooling.includes(provider) ? 0 : provider.limits.maxRetries;
    let failure: ModelErrorInfo | undefined;
    for (let attempt = 0; ; attempt++) {
      failure = undefined;
      let shown = false;
      for await (const event of attemptRequest(provider, request, signal, deps.fetch)) {
        if (event.type === "error") {
          failure = event.error;
          break;
        }
        if (event.type !== "usage") shown = true;
        yield event;
        if (event.type === "done") {
          deps.cooldowns.succeeded(cooldownKey(provider));
          return;
        }
      }
      failure ??= { kind: "stream", code: "ALEPH_E_PROVIDER_STREAM", message: `${provider.name}'s stream ended without an answer`, provider: provider.name };
      if (failure.kind === "cancelled" || shown) {
        // A cancellation is the caller's doing, not the provider's: it must not count towards a cooldown.
        if (shown && failure.kind !== "cancelled") deps.cooldowns.failed(cooldownKey(provider));
        yield { type: "error", error: failure };
        return;
      }
      if (!WAITING_HELPS.has(failure.kind) || attempt >= maxRetries) break;
      const delay = retryDelay(attempt + 1, failure.retryAfterMs, deps.backoff);
      if (delay === undefined) {
        deps.log.warn("provider asks to wait longer than a turn should; moving on", { provider: provider.name, retryAfterMs: failure.retryAfterMs });
        break;
      }
      deps.log.info("retrying model call", { provider: provider.name, attempt: attempt + 1, delayMs: delay, status: failure.status, reason: failure.message });
      try {
        await sleep(delay, signal);
      } catch {
        yield { type: "error", error: { kind: "cancelled", code: "ALEPH_E_CANCELLED", message: "the model call was cancelled", provider: provider.name } };
        return;
      }
    }
    deps.cooldowns.failed(cooldownKey(provider));
    last = failure;
    const next = order[index + 1];
    if (next) {
      const reason = `${failure.code}${failure.status ? ` (HTTP ${failure.status})` : ""}: ${failure.message}`;
      deps.log.warn("provider failed; moving on", { from: provider.name, to: next.name, reason });
      yield { type: "failover", from: provider.name, to: next.name, reason };
    }
  }
  yield {
    type: "error",
    error: last ?? { kind: "config", code: "ALEPH_E_PROVIDER_NONE", message: "no provider to call", fix: "add and enable a provider in providers.toml (see `aleph providers list`)" },
  };
}
