import { describe, expect, it } from "vitest";
import { levelFor, parseLogLevels } from "./log-levels.js";

describe("ALEPH_LOG", () => {
  it("accepts a global level, per-module levels, or both", () => {
    expect(parseLogLevels("debug").defaultLevel).toBe("debug");
    const spec = parseLogLevels("warn, kernel=debug,memory=INFO");
    expect(spec.defaultLevel).toBe("warn");
    expect([...spec.modules]).toEqual([["kernel", "debug"], ["memory", "info"]]);
    expect(parseLogLevels(undefined).defaultLevel).toBe("info");
    expect(parseLogLevels("").defaultLevel).toBe("info");
  });

  it("gives a module its own level, else its dotted parent's, else the default", () => {
    const spec = parseLogLevels("error,kernel=debug,kernel.watcher=trace");
    expect(levelFor(spec, "kernel")).toBe("debug");
    expect(levelFor(spec, "kernel.host")).toBe("debug");
    expect(levelFor(spec, "kernel.watcher")).toBe("trace");
    expect(levelFor(spec, "memory")).toBe("error");
  });

  it("rejects unknown levels and malformed parts with the offending text", () => {
    expect(() => parseLogLevels("loud")).toThrow(/"loud" is not a level/);
    expect(() => parseLogLevels("kernel=loud")).toThrow(/"loud" is not a level \(in "kernel=loud"/);
    expect(() => parseLogLevels("=debug")).toThrow(/not a module name/);
    expect(() => parseLogLevels("a b=info")).toThrow(/not a module name/);
  });
});
