/*
 * A connection's frame budget (docs/gateway.md, "Limits"): a token bucket of `rate` frames a
 * second with bursts of twice that — a frame over it is answered -32029 and not run — and a flood
 * detector: a client that keeps sending at ten times the rate for five seconds in a row, answered
 * or not, is closed (1008). Time is passed in, so the arithmetic is tested without waiting.
 */

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number; flood: boolean };

/** Frames per second, as a multiple of the rate, that count as a flood. */
export const FLOOD_FACTOR = 10;
/** Consecutive seconds of flooding after which the connection is closed. */
export const FLOOD_SECONDS = 5;

export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  /** The current one-second window: when it began and the frames in it. */
  #windowStart: number;
  #windowFrames = 0;
  /** Consecutive completed windows that were floods. */
  #floodStreak = 0;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#burst = rate * 2;
    this.#tokens = this.#burst;
    this.#last = now;
    this.#windowStart = now;
  }

  /** Takes `cost` frames' worth of budget at time `now` (ms), or says how long until it is there. */
  take(now: number, cost = 1): Verdict {
    const flood = this.#count(now, cost);
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (!flood && this.#tokens >= cost) {
      this.#tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((cost - this.#tokens) / this.#rate) * 1000)), flood };
  }

  /** Counts frames into one-second windows; true once the flood has lasted FLOOD_SECONDS. */
  #count(now: number, cost: number): boolean {
    const elapsed = now - this.#windowStart;
    if (elapsed >= 1000) {
      const flooded = this.#windowFrames >= FLOOD_FACTOR * this.#rate;
      // A gap of a whole second or more without a flood breaks the streak.
      this.#floodStreak = flooded && elapsed < 2000 ? this.#floodStreak + 1 : 0;
      this.#windowStart = elapsed < 2000 ? this.#windowStart + 1000 : now;
      this.#windowFrames = 0;
    }
    this.#windowFrames += cost;
    return this.#floodStreak >= FLOOD_SECONDS - 1 && this.#windowFrames >= FLOOD_FACTOR * this.#rate;
  }
}
