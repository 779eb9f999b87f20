import { describe, expect, it } from "vitest";
import { explainInvalidId, PLUGIN_ID_PATTERN, validateId } from "./ids.js";

describe("id validation", () => {
  it("accepts safe ids", () => {
    for (const id of ["main", "agent-2", "a.b_c", "X1"]) expect(validateId("agent id", id)).toBe(id);
    expect(validateId("plugin id", "memory", { pattern: PLUGIN_ID_PATTERN })).toBe("memory");
  });

  it("refuses everything that could escape a directory, with the reason", () => {
    const cases: [unknown, RegExp][] = [
      ["", /is empty/],
      ["..", /contains "\.\."/],
      ["a..b", /contains "\.\."/],
      ["a/b", /path separator/],
      ["a\\b", /path separator/],
      ["a\u0000b", /NUL/],
      ["a\nb", /control character/],
      [".hidden", /does not match/],
      ["x".repeat(129), /129 characters long, the limit is 128/],
      [42, /must be a string, got number/],
      [null, /got null/],
    ];
    for (const [value, reason] of cases) expect(explainInvalidId("agent id", value)).toMatch(reason);
  });

  it("throws ALEPH_E_INVALID_ID with a fix", () => {
    try {
      validateId("chat id", "../etc");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "ALEPH_E_INVALID_ID" });
      expect((error as { fix: string }).fix).toMatch(/letters, digits/);
    }
  });
});
