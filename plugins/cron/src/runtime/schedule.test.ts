import { describe, expect, it } from "vitest";
import { CRON_MISSED_COUNT_CAP, Schedule } from "./schedule.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString());

describe("a job's schedule", () => {
  it("reads the expression in its time zone: 09:00 in Paris is 08:00 UTC in winter, 07:00 in summer", () => {
    const paris = new Schedule("0 9 * * *", "Europe/Paris");
    const utc = new Schedule("0 9 * * *", "UTC");
    expect(iso(paris.next(at("2025-01-15T07:59:00Z")))).toBe("2025-01-15T08:00:00.000Z");
    expect(iso(paris.next(at("2025-07-15T06:59:00Z")))).toBe("2025-07-15T07:00:00.000Z");
    expect(iso(utc.next(at("2025-01-15T07:59:00Z")))).toBe("2025-01-15T09:00:00.000Z");
  });

  it("gives the first run strictly after a time", () => {
    const everyMinute = new Schedule("* * * * *", "UTC");
    expect(iso(everyMinute.next(at("2025-01-15T08:00:00Z")))).toBe("2025-01-15T08:01:00.000Z");
    expect(iso(everyMinute.next(at("2025-01-15T07:59:59.999Z")))).toBe("2025-01-15T08:00:00.000Z");
  });

  it("counts the runs due in (from, to]: none, one, several", () => {
    const everyMinute = new Schedule("* * * * *", "UTC");
    expect(everyMinute.dueBetween(at("2025-01-15T08:00:00Z"), at("2025-01-15T08:00:59Z"))).toBeUndefined();
    expect(everyMinute.dueBetween(at("2025-01-15T08:00:00Z"), at("2025-01-15T08:01:00Z"))).toEqual({ count: 1, first: at("2025-01-15T08:01:00Z"), last: at("2025-01-15T08:01:00Z"), capped: false });
    expect(everyMinute.dueBetween(at("2025-01-15T08:00:00Z"), at("2025-01-15T08:05:30Z"))).toEqual({ count: 5, first: at("2025-01-15T08:01:00Z"), last: at("2025-01-15T08:05:00Z"), capped: false });
  });

  it("stops counting at the cap and still finds the last due run", () => {
    const everySecond = new Schedule("* * * * * *", "UTC");
    const due = everySecond.dueBetween(at("2025-01-15T00:00:00Z"), at("2025-01-16T00:00:00Z"))!;
    expect(due).toEqual({ count: CRON_MISSED_COUNT_CAP, first: at("2025-01-15T00:00:01Z"), last: at("2025-01-16T00:00:00Z"), capped: true });
  });

  it("throws croner's error for an expression croner refuses", () => {
    expect(() => new Schedule("61 * * * *", "UTC")).toThrow(/Invalid value for minute: 61/);
  });
});
