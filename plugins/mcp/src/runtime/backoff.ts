/*
 * When a server that died (or could not be reached) is tried again: 1 s, 2 s, 4 s … capped at 30 s,
 * so a server that keeps crashing costs a spawn every 30 s, not a busy loop. The count starts over
 * once a connection has held for a minute: a server that crashes once a day restarts after 1 s.
 */

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
export const STABLE_AFTER_MS = 60_000;

/** The wait before attempt `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempt), BACKOFF_MAX_MS);
}
