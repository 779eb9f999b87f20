/*
 * Waiting between retries: a delay that doubles from `initialMs` up to `maxMs` while failures go on
 * and starts over after a success, and a sleep that a stop cuts short. The sleep is injectable so
 * tests can see the delays asked for without waiting them out.
 */

/** Waits `ms`, or less when `signal` aborts (it resolves then: the caller checks the signal). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

export interface BackoffOptions {
  /** The first delay (default 1 s). */
  initialMs: number;
  /** The longest delay (default 30 s). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

export class Backoff {
  #next: number;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    this.#next = options.initialMs;
  }

  /** The delay before the next attempt; each call doubles the one after. */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.options.maxMs, delay * 2);
    return delay;
  }

  reset(): void {
    this.#next = this.options.initialMs;
  }
}
