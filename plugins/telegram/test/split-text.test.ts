import { describe, expect, it } from "vitest";
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from "../src/runtime/split-text.js";

const codePoints = (text: string) => [...text].length;
/** True when the text has a lone surrogate (half an emoji). */
const broken = (text: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe("splitMessage", () => {
  it("keeps a message within the limit whole, trimmed, and sends nothing for a blank one", () => {
    expect(splitMessage("  hello\n")).toEqual(["hello"]);
    expect(splitMessage("x".repeat(TELEGRAM_MESSAGE_LIMIT))).toEqual(["x".repeat(TELEGRAM_MESSAGE_LIMIT)]);
    expect(splitMessage(" \n\t ")).toEqual([]);
    expect(splitMessage("")).toEqual([]);
  });

  it("counts code points as Telegram does: 4096 emoji are one message", () => {
    const emoji = "😀".repeat(TELEGRAM_MESSAGE_LIMIT);
    expect(splitMessage(emoji)).toEqual([emoji]);
    const parts = splitMessage("😀".repeat(TELEGRAM_MESSAGE_LIMIT + 1));
    expect(parts.map(codePoints)).toEqual([TELEGRAM_MESSAGE_LIMIT, 1]);
    expect(parts.some(broken)).toBe(false);
  });

  it("prefers a paragraph break, then a line break, then a space", () => {
    expect(splitMessage("aaaa bbbb\n\ncc dd", 12)).toEqual(["aaaa bbbb", "cc dd"]);
    expect(splitMessage("aaaa bb\ncc dd ee", 12)).toEqual(["aaaa bb", "cc dd ee"]);
    expect(splitMessage("aaaa bbbb cccc", 12)).toEqual(["aaaa bbbb", "cccc"]);
    // A paragraph break too early (less than half full) loses to a later line break.
    expect(splitMessage("a\n\nbbbbbbb\ncccc", 12)).toEqual(["a\n\nbbbbbbb", "cccc"]);
  });

  it("cuts a run without white space at the limit, between graphemes, never inside a surrogate pair", () => {
    expect(splitMessage("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    // "👍🏽" is two code points (four UTF-16 units) and one grapheme: it moves to the next part whole.
    expect(splitMessage("abc👍🏽def", 4)).toEqual(["abc", "👍🏽de", "f"]);
    // "é" written as e + combining accent stays together.
    expect(splitMessage("abce\u0301fg", 4)).toEqual(["abc", "e\u0301fg"]);
    const flags = splitMessage("🇩🇪".repeat(10), 5);
    expect(flags.every((part) => codePoints(part) <= 5 && !broken(part))).toBe(true);
    expect(flags.join("")).toBe("🇩🇪".repeat(10));
  });

  it("splits a long reply into parts that each fit, losing no words", () => {
    const paragraph = (n: number) => Array.from({ length: 120 }, (_, i) => `word${n}-${i}`).join(" ");
    const text = Array.from({ length: 8 }, (_, n) => paragraph(n)).join("\n\n");
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(codePoints(part)).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    expect(parts.join(" ").split(/\s+/)).toEqual(text.split(/\s+/));
    // Every part but the last ends where a paragraph did.
    for (const part of parts.slice(0, -1)) expect(text).toContain(`${part}\n\n`);
  });

  it("refuses a limit that cannot hold a character", () => {
    expect(() => splitMessage("abc", 1)).toThrow(RangeError);
  });
});
