import { describe, expect, it } from "vitest";
import { contentHash, createFactIdFactory, factIdTime, normaliseFactText } from "./fact-identity.js";

describe("fact identity", () => {
  it("treats case, spacing, compatibility forms and a final full stop as the same text", () => {
    expect(normaliseFactText("  The user   lives in\nBerlin. ")).toBe("the user lives in berlin");
    expect(contentHash("main", "agent", "The user lives in Berlin.")).toBe(contentHash("main", "agent", "the user lives in  berlin"));
    expect(contentHash("main", "agent", "ﬁle")).toBe(contentHash("main", "agent", "file"));
  });

  it("keeps agents and scopes apart, and no two triples run together", () => {
    const base = contentHash("main", "agent", "likes tea");
    expect(contentHash("b", "agent", "likes tea")).not.toBe(base);
    expect(contentHash("main", "project", "likes tea")).not.toBe(base);
    expect(contentHash("a", "bc", "d")).not.toBe(contentHash("ab", "c", "d"));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it("makes ids that sort by creation, within one millisecond and when the clock steps back", () => {
    const times = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, 1_699_999_999_000, 1_700_000_000_005];
    const make = createFactIdFactory(() => times.shift()!);
    const ids = Array.from({ length: 5 }, make);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5);
    expect(factIdTime(ids[0]!)).toBe(1_700_000_000_000);
    expect(factIdTime(ids[3]!)).toBe(1_700_000_000_000); // the step back kept the last time
    expect(factIdTime(ids[4]!)).toBe(1_700_000_000_005);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("refuses what is no fact id, and a clock that gives no time", () => {
    for (const bad of ["", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVX", "01ARZ3NDEKTSV4RRFFQ69G5FAI", "../../etc/passwd"]) {
      expect(() => factIdTime(bad)).toThrow(/is not a fact id/);
    }
    expect(() => createFactIdFactory(() => Number.NaN)()).toThrow(/cannot make a fact id/);
    expect(() => createFactIdFactory(() => -5)()).toThrow(/cannot make a fact id/);
  });
});
