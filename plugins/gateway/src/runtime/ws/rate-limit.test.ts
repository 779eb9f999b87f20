import { describe, expect, it } from "vitest";
import { FLOOD_FACTOR, FLOOD_SECONDS, RateLimiter } from "./rate-limit.js";

/** Sends `perSecond` frames a second for `seconds` seconds, evenly; the verdicts. */
function drive(limiter: RateLimiter, perSecond: number, seconds: number, start = 0) {
  const verdicts = [];
  for (let i = 0; i < perSecond * seconds; i++) verdicts.push({ at: start + (i * 1000) / perSecond, ...limiter.take(start + (i * 1000) / perSecond) });
  return verdicts;
}

describe("the rate limiter", () => {
  it("lets a burst of twice the rate through at once, then the rate", () => {
    const limiter = new RateLimiter(10, 0);
    const burst = Array.from({ length: 25 }, () => limiter.take(0));
    expect(burst.filter((v) => v.ok)).toHaveLength(20);
    expect(burst[20]).toEqual({ ok: false, retryAfterMs: 100, flood: false });
    // 100 ms later one more frame's worth has come back.
    expect(limiter.take(100).ok).toBe(true);
    expect(limiter.take(100).ok).toBe(false);
  });

  it("never refuses a client that stays at its rate", () => {
    const limiter = new RateLimiter(50, 0);
    expect(drive(limiter, 50, 20).every((v) => v.ok)).toBe(true);
  });

  it("limits a client at twice the rate without calling it a flood", () => {
    const verdicts = drive(new RateLimiter(50, 0), 100, 20);
    const refused = verdicts.filter((v) => !v.ok);
    expect(refused.length).toBeGreaterThan(800);
    expect(refused.every((v) => !v.ok && !v.flood)).toBe(true);
  });

  it("calls it a flood once a client has sent at ten times the rate for five seconds in a row", () => {
    const rate = 50;
    const verdicts = drive(new RateLimiter(rate, 0), rate * FLOOD_FACTOR * 2, FLOOD_SECONDS + 1);
    const firstFlood = verdicts.find((v) => !v.ok && v.flood);
    expect(firstFlood).toBeDefined();
    expect(firstFlood!.at).toBeGreaterThanOrEqual((FLOOD_SECONDS - 1) * 1000);
    expect(firstFlood!.at).toBeLessThan(FLOOD_SECONDS * 1000);
    // Three seconds of it are limited, not closed.
    expect(drive(new RateLimiter(rate, 0), rate * FLOOD_FACTOR * 2, 3).some((v) => !v.ok && v.flood)).toBe(false);
  });

  it("forgives a flood that pauses", () => {
    const limiter = new RateLimiter(10, 0);
    const flood = 10 * FLOOD_FACTOR;
    drive(limiter, flood, FLOOD_SECONDS - 1, 0);
    // A quiet second and a half, then flooding again: the streak starts over.
    const after = drive(limiter, flood, FLOOD_SECONDS - 1, (FLOOD_SECONDS - 1) * 1000 + 1500);
    expect(after.some((v) => !v.ok && v.flood)).toBe(false);
  });

  it("charges a batch one frame per request", () => {
    const limiter = new RateLimiter(10, 0);
    expect(limiter.take(0, 15).ok).toBe(true);
    expect(limiter.take(0, 10)).toEqual({ ok: false, retryAfterMs: 500, flood: false });
  });
});
