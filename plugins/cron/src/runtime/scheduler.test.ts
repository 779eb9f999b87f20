import { describe, expect, it } from "vitest";
import { ManualClock } from "../../test/manual-clock.js";
import { Schedule } from "./schedule.js";
import { Scheduler } from "./scheduler.js";
import type { DueRuns } from "./schedule.js";

const at = (iso: string) => Date.parse(iso);

function setUp(start: string) {
  const clock = new ManualClock(start);
  const due: [string, string][] = [];
  const missed: [string, DueRuns][] = [];
  const scheduler = new Scheduler(clock, { due: (job, scheduledAt) => due.push([job, new Date(scheduledAt).toISOString()]), missed: (job, runs) => missed.push([job, runs]) });
  return { clock, due, missed, scheduler };
}

describe("the scheduler", () => {
  it("says a job is due when the clock reaches each of its runs, and not before", () => {
    const { clock, due, scheduler } = setUp("2025-01-15T08:00:30Z");
    scheduler.set("beat", new Schedule("* * * * *", "UTC"));
    expect(scheduler.nextRun("beat")).toBe(at("2025-01-15T08:01:00Z"));
    clock.advanceTo("2025-01-15T08:00:59.999Z");
    expect(due).toEqual([]);
    clock.advanceTo("2025-01-15T08:03:00Z");
    expect(due).toEqual([
      ["beat", "2025-01-15T08:01:00.000Z"],
      ["beat", "2025-01-15T08:02:00.000Z"],
      ["beat", "2025-01-15T08:03:00.000Z"],
    ]);
    expect(scheduler.nextRun("beat")).toBe(at("2025-01-15T08:04:00Z"));
  });

  it("times a job anew when it is set again, and forgets a deleted one", () => {
    const { clock, due, scheduler } = setUp("2025-01-15T08:00:30Z");
    scheduler.set("a", new Schedule("* * * * *", "UTC"));
    scheduler.set("b", new Schedule("* * * * *", "UTC"));
    scheduler.set("a", new Schedule("*/5 * * * *", "UTC"));
    scheduler.delete("b");
    expect(clock.pending()).toEqual([at("2025-01-15T08:05:00Z")]);
    clock.advanceTo("2025-01-15T08:05:00Z");
    expect(due).toEqual([["a", "2025-01-15T08:05:00.000Z"]]);
    expect(scheduler.has("b")).toBe(false);
  });

  it("after a sleep, runs the run it was waiting for and reports the ones in the gap as missed, not due", () => {
    const { clock, due, missed, scheduler } = setUp("2025-01-15T08:00:30Z");
    scheduler.set("beat", new Schedule("* * * * *", "UTC"));
    clock.sleepUntil("2025-01-15T08:10:10Z");
    expect(due).toEqual([["beat", "2025-01-15T08:01:00.000Z"]]);
    expect(missed).toEqual([["beat", { count: 9, first: at("2025-01-15T08:02:00Z"), last: at("2025-01-15T08:10:00Z"), capped: false }]]);
    expect(scheduler.nextRun("beat")).toBe(at("2025-01-15T08:11:00Z"));
  });

  it("waits on when a timer fires early", () => {
    const clock = new ManualClock("2025-01-15T08:00:30Z");
    const due: number[] = [];
    // A clock whose long timers fire 5 ms early, as Node's may (rounding).
    const early = { now: () => clock.now(), setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms > 5 ? ms - 5 : ms), clearTimeout: (h: unknown) => clock.clearTimeout(h) };
    new Scheduler(early, { due: (_job, scheduledAt) => due.push(scheduledAt), missed: () => undefined }).set("beat", new Schedule("* * * * *", "UTC"));
    clock.advanceTo(at("2025-01-15T08:01:00Z") - 5);
    expect(due).toEqual([]);
    clock.advanceTo("2025-01-15T08:01:00Z");
    expect(due).toEqual([at("2025-01-15T08:01:00Z")]);
  });

  it("stops every timer", () => {
    const { clock, due, scheduler } = setUp("2025-01-15T08:00:30Z");
    scheduler.set("beat", new Schedule("* * * * *", "UTC"));
    scheduler.stop();
    clock.advanceTo("2025-01-15T09:00:00Z");
    expect(due).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });
});
