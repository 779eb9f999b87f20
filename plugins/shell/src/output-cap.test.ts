import { describe, expect, it } from "vitest";
import { CappedOutput } from "./output-cap.js";

const feed = (max: number, ...chunks: (string | Buffer)[]): CappedOutput => {
  const out = new CappedOutput(max);
  for (const chunk of chunks) out.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return out;
};

describe("CappedOutput", () => {
  it("returns output under the cap whole", () => {
    const out = feed(16, "hello ", "world");
    expect(out.text()).toBe("hello world");
    expect(out.truncated).toBe(false);
    expect(out.totalBytes).toBe(11);
  });

  it("keeps exactly the cap without a marker", () => {
    const out = feed(10, "0123456789");
    expect(out.truncated).toBe(false);
    expect(out.text()).toBe("0123456789");
  });

  it("keeps the head and the tail of longer output, saying how much was cut", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, "0")}\n`);
    const out = feed(100, ...lines); // 10 000 bytes in 10-byte chunks
    const text = out.text();
    expect(out.truncated).toBe(true);
    expect(out.totalBytes).toBe(10_000);
    expect(text.startsWith("line 0000\nline 0001\nline 0002\nline 0003\nline 0004\n")).toBe(true);
    expect(text.endsWith("line 0995\nline 0996\nline 0997\nline 0998\nline 0999\n")).toBe(true);
    expect(text).toMatch(/\[… 9900 bytes cut from the middle: the stream had 10000 bytes and shell returns at most 100/);
  });

  it("keeps the tail right when it arrives in one big chunk", () => {
    const text = feed(20, "a".repeat(5), "b".repeat(1000) + "0123456789").text();
    expect(text.startsWith("aaaaabbbbb\n[…")).toBe(true);
    expect(text.endsWith("…]\n0123456789")).toBe(true);
  });

  it("does not split a UTF-8 character at either edge of the cut", () => {
    const text = feed(9, "aaaa€", "x".repeat(50), "€bbbb").text(); // € is 3 bytes
    expect(text).not.toContain("\uFFFD");
    expect(text.startsWith("aaaa\n[…")).toBe(true); // the € straddling the head's edge is left out
    expect(text.endsWith("…]\nbbbb")).toBe(true);
  });

  it("decodes invalid UTF-8 leniently", () => {
    expect(feed(64, Buffer.from([0x61, 0xff, 0x62])).text()).toBe("a\uFFFDb");
  });
});
