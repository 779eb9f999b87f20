/*
 * How long to wait before retrying a request: exponential backoff with full jitter (so a burst of
 * clients that failed together does not come back together), or what the server asked for with
 * Retry-After — unless it asks for longer than we are willing to block a turn, in which case the
 * caller moves on to the next provider instead of waiting.
 */

export interface BackoffPolicy {
  /** The first retry waits up to this long; each further one doubles it. */
  baseMs: number;
  /** No computed wait exceeds this. */
  capMs: number;
  /** A Retry-After longer than this is not waited for: the provider is skipped. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 8_000, maxRetryAfterMs: 30_000 };

/** The wait before retry number `attempt` (1 for the first retry), or undefined when it is not worth waiting. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random: () => number = Math.random): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? Math.max(0, retryAfterMs) : undefined;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
