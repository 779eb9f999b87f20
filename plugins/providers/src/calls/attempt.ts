import type { ModelErrorInfo, ModelRequest, ModelStreamEvent } from "@aleph/plugin-sdk";
import type { ResolvedProvider } from "../resolved-provider.js";

/*
 * One HTTP request to one provider, streamed, under two clocks: the whole request may take
 * `timeout_ms`, and the first streamed event must come within `first_token_timeout_ms` (a server
 * that accepts the connection and then says nothing is the usual way a turn hangs). Whatever goes
 * wrong ends the stream with one `error` event naming the provider; nothing is thrown.
 */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Why our own controller aborted the request, so the error can say which clock ran out. */
export class ClockExpired extends Error {
  constructor(readonly which: "request" | "first-token", readonly ms: number) {
    super(which === "request" ? `no complete answer within ${ms} ms` : `no first token within ${ms} ms`);
  }
}

export async function* attemptRequest(provider: ResolvedProvider, request: ModelRequest, signal: AbortSignal | undefined, fetchImpl: FetchLike): AsyncGenerator<ModelStreamEvent> {
  const { adapter, endpoint, limits } = provider;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onOuterAbort, { once: true });
  const expire = (which: "request" | "first-token", ms: number) => setTimeout(() => controller.abort(new ClockExpired(which, ms)), ms);
  const requestTimer = expire("request", limits.timeoutMs);
  let firstTokenTimer: NodeJS.Timeout | undefined = expire("first-token", limits.firstTokenTimeoutMs);
  const failure = (error: unknown): ModelErrorInfo => explainAbort(controller.signal, provider, error);
  try {
    if (signal?.aborted) {
      yield { type: "error", error: failure(signal.reason) };
      return;
    }
    let wire;
    try {
      wire = adapter.buildRequest(request, endpoint, true);
    } catch (error) {
      yield { type: "error", error: { kind: "invalid_request", code: (error as { code?: string }).code ?? "ALEPH_E_PROVIDER_REQUEST", message: (error as Error).message, provider: provider.name } };
      return;
    }
    let response: Response;
    try {
      response = await fetchImpl(wire.url, { method: "POST", headers: wire.headers, body: wire.body, signal: controller.signal });
    } catch (error) {
      yield { type: "error", error: failure(error) };
      return;
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      yield { type: "error", error: { ...adapter.parseError(response.status, text, response.headers, endpoint), provider: provider.name } };
      return;
    }
    if (!response.body) {
      yield { type: "error", error: { kind: "stream", code: "ALEPH_E_PROVIDER_STREAM", message: `${provider.name} answered ${response.status} with no body`, provider: provider.name } };
      return;
    }
    try {
      for await (const event of adapter.parseStream(response.body as unknown as AsyncIterable<Uint8Array>, endpoint)) {
        if (firstTokenTimer) {
          clearTimeout(firstTokenTimer);
          firstTokenTimer = undefined;
        }
        if (event.type === "error") {
          // A body cut by our own abort reads as a broken stream: say which clock (or who) cut it.
          yield { type: "error", error: controller.signal.aborted ? failure(controller.signal.reason) : { ...event.error, provider: provider.name } };
          return;
        }
        yield event;
        if (event.type === "done") return;
      }
    } catch (error) {
      yield { type: "error", error: failure(error) };
      return;
    }
    yield { type: "error", error: { kind: "stream", code: "ALEPH_E_PROVIDER_STREAM", message: `${provider.name}'s stream ended before the answer was complete`, provider: provider.name } };
  } finally {
    clearTimeout(requestTimer);
    if (firstTokenTimer) clearTimeout(firstTokenTimer);
    signal?.removeEventListener("abort", onOuterAbort);
    // A consumer that stops reading (Ctrl-C, a cancelled turn) must not leave the socket open.
    if (!controller.signal.aborted) controller.abort(new Error("the caller stopped reading"));
  }
}

/** A failure of fetch or of reading the body, classified by who aborted (the caller, a clock) or as a network error. */
export function explainAbort(signal: AbortSignal, provider: ResolvedProvider, error: unknown): ModelErrorInfo {
  const reason = signal.aborted ? signal.reason : undefined;
  if (reason instanceof ClockExpired) {
    return { kind: "timeout", code: "ALEPH_E_TIMEOUT", message: `${provider.name} (${provider.endpoint.baseUrl}): ${reason.message}`, provider: provider.name, fix: `raise ${reason.which === "request" ? "timeout_ms" : "first_token_timeout_ms"} in providers.toml [providers.${provider.name}] if the model is just slow` };
  }
  if (signal.aborted) return { kind: "cancelled", code: "ALEPH_E_CANCELLED", message: "the model call was cancelled", provider: provider.name };
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return {
    kind: "retryable",
    code: "ALEPH_E_PROVIDER_NETWORK",
    message: `cannot reach ${provider.name} at ${provider.endpoint.baseUrl}: ${detail}`,
    provider: provider.name,
    fix: `check that the server is running and base_url in providers.toml [providers.${provider.name}] is right`,
  };
}
