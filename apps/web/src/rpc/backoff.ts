/*
 * How long to wait before reconnecting: exponential from `baseMs`, capped at `maxMs`, with "equal
 * jitter" (half fixed, half random) so many pages reconnecting after a gateway restart do not all
 * knock at the same instant, while none retries sooner than half the step.
 */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 15_000 };

/** The delay before attempt `attempt` (1 for the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
