import { describe, expect, it } from "vitest";
import { explainInvalidId, PLUGIN_ID_PATTERN, PLUGIN_ID_RULE, validateId } from "./ids.js";

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

  it("states the rule that applies: a plugin id's fix never offers \".\" or \"_\"", () => {
    for (const [rule, fix] of [
      [PLUGIN_ID_RULE, /^use lowercase letters, digits and "-", starting with a letter or digit \(pattern \^\[a-z0-9\]\[a-z0-9-\]\{0,63\}\$\), at most 64 characters$/],
      [{ pattern: /^[a-z]+$/ }, /^use a value matching \^\[a-z\]\+\$, at most 128 characters$/],
    ] as const) {
      try {
        validateId("plugin name", "Bad_Name", rule);
        expect.unreachable();
      } catch (error) {
        expect((error as { fix: string }).fix).toMatch(fix);
      }
    }
  });
});
