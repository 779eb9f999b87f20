import { describe, expect, test } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../src/rpc/backoff.js";

describe("backoffDelay", () => {
  test("doubles per attempt from the base and stops at the cap", () => {
    const top = () => 0.999999;
    const options = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, top))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  test("jitter keeps each delay between half the step and the step", () => {
    const options = { baseMs: 400, maxMs: 10_000 };
    expect(backoffDelay(3, options, () => 0)).toBe(800);
    expect(backoffDelay(3, options, () => 0.5)).toBe(1200);
  });

  test("the default starts at half a second or less and never waits more than 15 s", () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999999)).toBe(500);
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0.999999)).toBe(15_000);
  });

  test("an attempt below 1 is taken as the first", () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 1000 }, () => 0)).toBe(50);
  });
});
