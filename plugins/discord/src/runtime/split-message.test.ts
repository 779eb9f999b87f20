import { describe, expect, it } from "vitest";
import { DISCORD_MESSAGE_LIMIT, splitMessage } from "./split-message.js";

/** Fence lines of a part (``` or ~~~ at a line start): balanced when there is an even number. */
const fenceLines = (part: string) => part.split("\n").filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line));
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

describe("splitMessage", () => {
  it("keeps a message within the limit whole (surrounding blank lines trimmed); gives nothing for whitespace", () => {
    expect(splitMessage("hello")).toEqual(["hello"]);
    expect(splitMessage("\n\n  indented first line\nsecond\n\n")).toEqual(["  indented first line\nsecond"]);
    const exactly = "x".repeat(DISCORD_MESSAGE_LIMIT);
    expect(splitMessage(exactly)).toEqual([exactly]);
    expect(splitMessage("  \n\t\n")).toEqual([]);
  });

  it("cuts at a paragraph, then a line, then a word; every part within 2000 and nothing lost", () => {
    const paragraph = (n: number) => `Paragraph ${n}. ` + "word ".repeat(150).trim();
    const text = [1, 2, 3, 4].map(paragraph).join("\n\n");
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    // Paragraph boundaries: each part starts with a paragraph.
    expect(parts.every((part) => part.startsWith("Paragraph "))).toBe(true);
    expect(parts.join("\n\n")).toBe(text);

    const lines = Array.from({ length: 300 }, (_, n) => `line ${n} of a list without blank lines`).join("\n");
    const byLine = splitMessage(lines);
    expect(byLine.map((part) => part.length).every((length) => length <= DISCORD_MESSAGE_LIMIT)).toBe(true);
    expect(byLine.join("\n")).toBe(lines);
    expect(byLine.every((part) => /^line \d+ of a list without blank lines$/.test(part.split("\n").at(-1)!))).toBe(true);

    const words = "lorem ".repeat(1000).trim();
    const byWord = splitMessage(words);
    expect(byWord.every((part) => part.length <= DISCORD_MESSAGE_LIMIT && !part.startsWith(" ") && !part.endsWith(" "))).toBe(true);
    expect(byWord.join(" ")).toBe(words);
  });

  it("cuts an unbroken run hard, but never between the halves of a surrogate pair", () => {
    // "a" then emoji (two UTF-16 units each): the 2000th unit is a high surrogate.
    const text = `a${"😀".repeat(1500)}`;
    const parts = splitMessage(text);
    expect(parts.join("")).toBe(text);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
      expect(isHighSurrogate(part.charCodeAt(part.length - 1))).toBe(false);
      expect(isLowSurrogate(part.charCodeAt(0))).toBe(false);
    }
    expect(parts[0]!.length).toBe(1999);
  });

  it("keeps ``` fences balanced: a part ending inside a code block closes it and the next reopens it with its language", () => {
    const code = Array.from({ length: 200 }, (_, n) => `  const value${n} = compute(${n}); // step ${n}`).join("\n");
    const text = `Here is the code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nThat is all.`;
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
      expect(fenceLines(part).length % 2).toBe(0);
    }
    expect(parts[0]!.startsWith("Here is the code:\n\n```ts\n")).toBe(true);
    expect(parts[0]!.endsWith("\n```")).toBe(true);
    for (const part of parts.slice(1)) expect(part.startsWith("```ts\n")).toBe(true);
    expect(parts.at(-1)!.endsWith("```\n\nThat is all.")).toBe(true);
    // Taking the added fences out gives back every code line, in order.
    const codeLines = parts.flatMap((part) => part.split("\n")).filter((line) => line.startsWith("  const value"));
    expect(codeLines).toEqual(code.split("\n"));
  });

  it("ends a part with the text's own closing fence when the cut falls just before it (no empty block after)", () => {
    const body = "x".repeat(1980);
    const text = `\`\`\`\n${body}\n\`\`\`\nafter the block`;
    const parts = splitMessage(text);
    expect(parts).toEqual([`\`\`\`\n${body}\n\`\`\``, "after the block"]);
  });

  it("reopens a ~~~ fence as ~~~, and a fence with a very long info string by its marker alone", () => {
    const tilde = splitMessage(`~~~python\n${"print(1)\n".repeat(400)}~~~`);
    expect(tilde.length).toBeGreaterThan(1);
    expect(tilde.every((part) => part.startsWith("~~~python\n") && part.endsWith("~~~"))).toBe(true);
    const longInfo = `\`\`\`${"x".repeat(300)}`;
    const long = splitMessage(`${longInfo}\n${"line\n".repeat(600)}\`\`\``);
    expect(long.slice(1).every((part) => part.startsWith("```\n"))).toBe(true);
    for (const part of long) expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
  });

  it("refuses a limit too small to hold fences", () => {
    expect(() => splitMessage("hello", 10)).toThrow(RangeError);
  });
});
