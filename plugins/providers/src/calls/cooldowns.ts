/*
 * A provider+model that keeps failing is left alone for a while, so a turn does not spend its time
 * (and the user's patience) on an endpoint that is down: after `threshold` failed calls in a row
 * (each already retried) it cools down for `ms`, and failover skips it. One success clears it.
 */

export interface CooldownPolicy {
  threshold: number;
  ms: number;
}

export const DEFAULT_COOLDOWN: CooldownPolicy = { threshold: 2, ms: 60_000 };

export class Cooldowns {
  readonly #failures = new Map<string, number>();
  readonly #until = new Map<string, number>();

  constructor(
    readonly policy: CooldownPolicy = DEFAULT_COOLDOWN,
    private readonly now: () => number = Date.now,
  ) {}

  /** Until when `key` cools down (ms since the epoch), or undefined when it may be called. */
  coolingUntil(key: string): number | undefined {
    const until = this.#until.get(key);
    if (until === undefined) return undefined;
    if (until > this.now()) return until;
    this.#until.delete(key);
    return undefined;
  }

  failed(key: string): void {
    const count = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, count);
    if (count >= this.policy.threshold) {
      this.#until.set(key, this.now() + this.policy.ms);
      this.#failures.delete(key);
    }
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
    this.#until.delete(key);
  }
}
