import { describe, expect, it } from "vitest";
import { trimToLimit, truncationMarker } from "./truncate.js";

/** A small deterministic PRNG, so the property test is reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

describe("trimToLimit", () => {
  it("leaves text within the limit alone", () => {
    expect(trimToLimit("A.md", "hello", 5)).toEqual({ content: "hello", kept: 5, originalChars: 5, truncated: false });
  });

  it("cuts to the limit, marker included, and the marker names the file, the kept and the original size", () => {
    const text = "x".repeat(12_345);
    const result = trimToLimit("MEMORY.md", text, 4000);
    expect(result.truncated).toBe(true);
    expect(result.content.length).toBeLessThanOrEqual(4000);
    expect(result.content.endsWith(truncationMarker("MEMORY.md", result.kept, 12_345))).toBe(true);
    expect(result.content).toMatch(/\[… truncated: MEMORY\.md kept \d+ of 12345 characters …\]$/);
    expect(result.content.startsWith(text.slice(0, result.kept))).toBe(true);
  });

  it("cuts at the end of a line when one ends within the last 10% of the window", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, "0")} ${"-".repeat(40)}`).join("\n");
    const result = trimToLimit("M.md", lines, 1000);
    const head = lines.slice(0, result.kept);
    expect(head.endsWith("\n")).toBe(true);
    expect(result.content).toBe(head + truncationMarker("M.md", result.kept, lines.length));
  });

  it("cuts mid-line when no line ends near the cut, never splitting a surrogate pair", () => {
    const text = `${"a".repeat(10)}\n${"😀".repeat(500)}`;
    for (let limit = 60; limit < 200; limit++) {
      const result = trimToLimit("E.md", text, limit);
      expect(result.content.length).toBeLessThanOrEqual(limit);
      expect(isHigh(text.charCodeAt(result.kept - 1)), `limit ${limit}`).toBe(false);
      expect(result.content.slice(0, result.kept)).toBe(text.slice(0, result.kept));
      const separator = text[result.kept - 1] === "\n" ? "" : "\n";
      expect(result.content.slice(result.kept)).toBe(`${separator}${truncationMarker("E.md", result.kept, text.length)}`);
    }
  });

  it("is deterministic: the same input gives the same output byte for byte", () => {
    const text = Array.from({ length: 3000 }, (_, i) => (i % 17 === 0 ? "\n" : String.fromCharCode(97 + (i % 26)))).join("");
    const a = trimToLimit("X.md", text, 777);
    const b = trimToLimit("X.md", `${text}`, 777);
    expect(Buffer.from(a.content, "utf8").equals(Buffer.from(b.content, "utf8"))).toBe(true);
    expect(a).toEqual(b);
  });

  it("keeps the limit as a hard cap when even the marker does not fit", () => {
    const text = "y".repeat(1000);
    const marker = truncationMarker("T.md", 0, 1000);
    expect(trimToLimit("T.md", text, marker.length)).toMatchObject({ content: marker, kept: 0, truncated: true });
    expect(trimToLimit("T.md", text, 10)).toMatchObject({ content: "", kept: 0, truncated: true });
    expect(trimToLimit("T.md", text, 0)).toMatchObject({ content: "", kept: 0, truncated: true });
  });

  it("holds its invariants on random text and limits", () => {
    const random = rng(42);
    const alphabet = ["a", "b", " ", "\n", "é", "😀", "\r\n", "中"];
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: Math.floor(random() * 400) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const limit = Math.floor(random() * 450);
      const result = trimToLimit("R.md", text, limit);
      expect(result.content.length).toBeLessThanOrEqual(Math.max(limit, 0));
      expect(result.originalChars).toBe(text.length);
      expect(result.content.slice(0, result.kept)).toBe(text.slice(0, result.kept));
      if (result.kept > 0) expect(isHigh(text.charCodeAt(result.kept - 1))).toBe(false);
      if (!result.truncated) expect(result.content).toBe(text);
      expect(trimToLimit("R.md", text, limit)).toEqual(result);
    }
  });
});
