import { Cron } from "croner";
import { CRON_MODE } from "../job-checks.js";

/*
 * A job's schedule as times: croner computes them (its own timers are never used — the scheduler
 * keeps its injectable clock), so the times are exactly those of the expression in its time zone,
 * DST included.
 */

/** Counting missed runs stops here (an every-second job down for days): the count is then a lower bound. */
export const CRON_MISSED_COUNT_CAP = 1000;

export interface DueRuns {
  count: number;
  first: number;
  last: number;
  /** More were due than CRON_MISSED_COUNT_CAP. */
  capped: boolean;
}

export class Schedule {
  readonly #cron: Cron;

  /** Throws croner's error for an expression it refuses (the config check has refused it before). */
  constructor(
    readonly expression: string,
    readonly tz: string,
  ) {
    this.#cron = new Cron(expression, { paused: true, mode: CRON_MODE, timezone: tz });
  }

  /** The first run strictly after `after` (ms), or null when the expression has no later time. */
  next(after: number): number | null {
    return this.#cron.nextRun(new Date(after))?.getTime() ?? null;
  }

  /** The runs due in (from, to]: how many, the first and the last; undefined when none. */
  dueBetween(from: number, to: number): DueRuns | undefined {
    const first = this.next(from);
    if (first === null || first > to) return undefined;
    let count = 0;
    let last = first;
    for (const date of this.#cron.enumerate(new Date(from))) {
      const at = date.getTime();
      if (at > to) return { count, first, last, capped: false };
      count += 1;
      last = at;
      if (count >= CRON_MISSED_COUNT_CAP) break;
    }
    // Counting stopped at the cap (or the expression ran out): the last due run is found directly.
    const latest = this.#cron.previousRuns(1, new Date(to + 1))[0]?.getTime() ?? last;
    return { count, first, last: latest, capped: latest > last };
  }
}
