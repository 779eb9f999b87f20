import { describe, expect, it } from "vitest";
import { compareStrings } from "./compare.js";

describe("compareStrings", () => {
  it("orders by code unit, the same on every machine", () => {
    expect(["b", "a-b", "a", "B", "a_b", "é", "z"].sort(compareStrings)).toEqual(["B", "a", "a-b", "a_b", "b", "z", "é"]);
    expect(compareStrings("main", "main")).toBe(0);
    expect(compareStrings("agent:main:x", "agent:main:y")).toBeLessThan(0);
  });
});
