import { describe, expect, it } from "vitest";
import { nearest } from "./suggest.js";

describe("nearest", () => {
  it("finds a typo's intended word and nothing for a stranger", () => {
    expect(nearest("event", ["events", "filter"])).toBe("events");
    expect(nearest("sesions list", ["sessions list", "sessions show", "status"])).toBe("sessions list");
    expect(nearest("deploy", ["status", "start"])).toBeUndefined();
    expect(nearest("x", [])).toBeUndefined();
  });
});
