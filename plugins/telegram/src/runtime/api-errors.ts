/*
 * What a failed Bot API call means for the channel. grammY throws a GrammyError when Telegram
 * answered `ok: false` (error_code, description, parameters) and an HttpError when no answer came
 * (its cause, node-fetch's error, quotes the request URL — which holds the token — so only the
 * cause's code is ever shown). Both are recognised by shape, so this module needs no grammY.
 */

export type ApiFailure =
  /** Our own stop aborted the call. */
  | { kind: "aborted" }
  /** 401 (a wrong or revoked token) or 404 (a malformed token, or api_root is not a Bot API server): retrying cannot help. */
  | { kind: "refused"; code: number; message: string }
  /** 409: another getUpdates took over, or a webhook is set. */
  | { kind: "conflict"; webhook: boolean; message: string }
  /** 429: wait `retryAfterMs`. */
  | { kind: "rate_limited"; retryAfterMs: number; message: string }
  /** No answer, or a server error (5xx): worth retrying later. */
  | { kind: "unavailable"; message: string }
  /** Any other answer (400, 403…): this request is wrong, retrying it as is will not help. */
  | { kind: "rejected"; code: number; description: string; migrateToChatId?: number; message: string };

interface TelegramErrorShape {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

function isTelegramError(error: unknown): error is TelegramErrorShape {
  return typeof error === "object" && error !== null && typeof (error as { error_code?: unknown }).error_code === "number";
}

export function classifyApiError(error: unknown, signal?: AbortSignal): ApiFailure {
  if (signal?.aborted) return { kind: "aborted" };
  if (isTelegramError(error)) {
    const code = error.error_code;
    const description = String(error.description ?? "");
    const message = `Telegram answered ${code}: ${description}`;
    if (code === 401 || code === 404) return { kind: "refused", code, message };
    if (code === 409) return { kind: "conflict", webhook: /webhook/i.test(description), message };
    if (code === 429) return { kind: "rate_limited", retryAfterMs: Math.max(1, error.parameters?.retry_after ?? 5) * 1000, message };
    if (code >= 500) return { kind: "unavailable", message };
    const migrate = error.parameters?.migrate_to_chat_id;
    return { kind: "rejected", code, description, message, ...(migrate !== undefined ? { migrateToChatId: migrate } : {}) };
  }
  return { kind: "unavailable", message: networkMessage(error) };
}

/** A network failure in words that never include the request URL (it holds the token). */
function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return "the Bot API server could not be reached";
  // grammY's own message ("Network request for 'getUpdates' failed!") names the method, not the URL.
  const base = error.name === "HttpError" ? error.message : "the Bot API server could not be reached";
  const code = causeCode((error as { error?: unknown }).error ?? error.cause);
  return code ? `${base} (${code})` : base;
}

/** The system error code (ECONNREFUSED, ENOTFOUND, UND_ERR_…) somewhere down a cause chain: fetch wraps it in "fetch failed". */
function causeCode(cause: unknown): string | undefined {
  for (let depth = 0; depth < 4 && typeof cause === "object" && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
    if ((cause as { name?: unknown }).name === "AbortError") return "timed out";
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
