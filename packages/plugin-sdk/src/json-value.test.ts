import { describe, expect, it } from "vitest";
import { parseJsonText, toJsonText } from "./json-value.js";
import { estimateTokens } from "./sessions.js";

describe("toJsonText", () => {
  it("serialises plain JSON values compactly and exactly", () => {
    const value = { a: "ü ✓", b: [1, -2.5, 0, null, true], c: { d: {} }, e: [] };
    const text = toJsonText(value, { what: "content" });
    expect(text).toBe(JSON.stringify(value));
    expect(JSON.parse(text)).toEqual(value);
    expect(toJsonText("plain", { what: "content" })).toBe('"plain"');
    expect(toJsonText(Object.create(null), { what: "content" })).toBe("{}");
  });

  it("names the member that JSON cannot represent exactly", () => {
    const cases: [unknown, RegExp][] = [
      [{ n: Number.NaN }, /content\.n is NaN/],
      [[1, Number.NEGATIVE_INFINITY], /content\[1\] is -Infinity/],
      [{ d: new Date(0) }, /content\.d is Date/],
      [{ "odd key": undefined }, /content\["odd key"\] is undefined/],
      [{ f: () => 1 }, /content\.f is function/],
      [{ big: 1n }, /content\.big is bigint/],
      [{ m: new Map() }, /content\.m is Map/],
      [[Symbol("s")], /content\[0\] is symbol/],
    ];
    for (const [value, message] of cases) {
      expect(() => toJsonText(value, { what: "message content" })).toThrow(expect.objectContaining({ code: "ALEPH_E_JSON", message: expect.stringMatching(message) }));
    }
    const cycle: { self?: unknown } = {};
    cycle.self = { back: cycle };
    expect(() => toJsonText(cycle, { what: "content" })).toThrow(/content\.self\.back refers back to itself/);
    expect(() => toJsonText(undefined, { what: "content" })).toThrow(expect.objectContaining({ code: "ALEPH_E_JSON", message: "content is missing" }));
    // The same object twice (not a cycle) is fine.
    const shared = { x: 1 };
    expect(toJsonText([shared, shared], { what: "content" })).toBe('[{"x":1},{"x":1}]');
  });

  it("checks the size in UTF-8 bytes and says how to raise the limit", () => {
    expect(toJsonText("éé", { what: "content", maxBytes: 6 })).toBe('"éé"');
    expect(() => toJsonText("ééé", { what: "content", maxBytes: 6, limitFix: "raise [x] max in config.toml" })).toThrow(
      expect.objectContaining({ code: "ALEPH_E_LIMIT", message: "content is 8 bytes, over the limit of 6 bytes", fix: expect.stringMatching(/raise \[x\] max/) }),
    );
  });

  it("uses the given root name in member paths", () => {
    expect(() => toJsonText({ a: Number.NaN }, { what: "message 3", root: "message" })).toThrow(/message 3 is not JSON: message\.a is NaN/);
  });
});

describe("parseJsonText", () => {
  it("parses JSON and explains text that is not", () => {
    expect(parseJsonText('{"a":[1]}', "--content")).toEqual({ a: [1] });
    expect(() => parseJsonText("hello", "--content")).toThrow(expect.objectContaining({ code: "ALEPH_E_JSON", message: expect.stringMatching(/^--content is not valid JSON/), fix: expect.stringMatching(/quote plain text/) }));
    expect(() => parseJsonText("", "line 2")).toThrow(/line 2 is not valid JSON/);
  });
});

describe("estimateTokens", () => {
  it("is four tokens of framing plus a quarter of the text, for strings and structures", () => {
    expect(estimateTokens({ content: "" })).toBe(4);
    expect(estimateTokens({ content: "abcd" })).toBe(5);
    expect(estimateTokens({ content: "abcde" })).toBe(6);
    expect(estimateTokens({ content: [{ type: "text", text: "abcdefgh" }] })).toBe(4 + Math.ceil(("type" + "text" + "text" + "abcdefgh").length / 4));
    expect(estimateTokens({ content: "abcd", name: "tool" })).toBe(6);
    expect(estimateTokens({ content: "x".repeat(4000) })).toBe(1004);
    // It runs before the strict JSON check: a cycle must not overflow the stack.
    const cycle: Record<string, unknown> = { text: "abcd" };
    cycle.self = cycle;
    expect(estimateTokens({ content: cycle })).toBe(4 + Math.ceil(("text" + "abcd" + "self").length / 4));
  });
});
