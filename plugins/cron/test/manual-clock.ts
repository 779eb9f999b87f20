import type { CronClock } from "../src/clock.js";

/**
 * A clock the test moves: timers fire when `advanceTo` passes their time, each at its own time and
 * in order (as real time would pass), synchronously — so a test says "it is now 09:00" and the
 * scheduler does what 09:00 calls for, without anyone waiting.
 */
export class ManualClock implements CronClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start: number | string) {
    this.#now = typeof start === "string" ? Date.parse(start) : start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward to `to`, firing every timer due on the way at its own time. */
  advanceTo(to: number | string): void {
    const target = typeof to === "string" ? Date.parse(to) : to;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
    }
    this.#now = Math.max(this.#now, target);
  }

  /** Jumps to `to` without firing anything on the way (a machine asleep), then fires what is due there. */
  sleepUntil(to: number | string): void {
    this.#now = typeof to === "string" ? Date.parse(to) : to;
    this.advanceTo(this.#now);
  }

  /** When the armed timers are due, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }
}
