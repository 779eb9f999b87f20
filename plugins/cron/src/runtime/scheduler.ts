import { MAX_TIMER_MS, type CronClock } from "../clock.js";
import type { DueRuns, Schedule } from "./schedule.js";

/*
 * One timer per job, on the injected clock: it wakes at the job's next run, says the run is due,
 * and waits for the next. A timer that wakes late — the machine slept, the process was stopped —
 * reports the run it was set for as due and the ones that fell in the gap as missed: they are
 * never run one after another to catch up.
 */

export interface SchedulerEvents {
  /** The job's run planned for `scheduledAt` is due now. */
  due(job: string, scheduledAt: number): void;
  /** Runs that fell while the timer could not fire (a sleep): reported, not run. */
  missed(job: string, runs: DueRuns): void;
}

interface Entry {
  schedule: Schedule;
  timer?: unknown;
  /** The run the timer waits for. */
  nextAt: number | null;
}

export class Scheduler {
  readonly #entries = new Map<string, Entry>();
  #stopped = false;

  constructor(
    private readonly clock: CronClock,
    private readonly events: SchedulerEvents,
  ) {}

  /** Starts timing `job` (or times it afresh with a new schedule). */
  set(job: string, schedule: Schedule): void {
    this.delete(job);
    const entry: Entry = { schedule, nextAt: null };
    this.#entries.set(job, entry);
    this.#arm(job, entry, this.clock.now());
  }

  /** Stops timing `job`; a run going on is not touched. */
  delete(job: string): void {
    const entry = this.#entries.get(job);
    if (!entry) return;
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.#entries.delete(job);
  }

  has(job: string): boolean {
    return this.#entries.has(job);
  }

  /** The next run of a timed job, or null (not timed, or no later time). */
  nextRun(job: string): number | null {
    return this.#entries.get(job)?.nextAt ?? null;
  }

  stop(): void {
    this.#stopped = true;
    for (const job of [...this.#entries.keys()]) this.delete(job);
  }

  #arm(job: string, entry: Entry, after: number): void {
    entry.timer = undefined;
    entry.nextAt = entry.schedule.next(after);
    if (entry.nextAt === null || this.#stopped) return;
    this.#wait(job, entry, entry.nextAt);
  }

  #wait(job: string, entry: Entry, at: number): void {
    const delay = Math.max(0, at - this.clock.now());
    entry.timer = this.clock.setTimeout(() => this.#wake(job, entry, at), Math.min(delay, MAX_TIMER_MS));
  }

  #wake(job: string, entry: Entry, at: number): void {
    if (this.#entries.get(job) !== entry || this.#stopped) return;
    const now = this.clock.now();
    // Timers may fire a little early, and a far run is waited for in steps: not due yet, wait on.
    if (now < at) return this.#wait(job, entry, at);
    const gap = entry.schedule.dueBetween(at, now);
    // Timed from now on before the job hears of it: whatever it does, the next run is already set.
    this.#arm(job, entry, now);
    this.events.due(job, at);
    if (gap) this.events.missed(job, gap);
  }
}
