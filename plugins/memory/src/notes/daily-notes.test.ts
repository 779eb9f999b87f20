import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendDailyNote, chunkNote, dailyNoteName } from "./daily-notes.js";

describe("daily notes", () => {
  it("appends to the day's file, never rewriting what is there, private", async () => {
    const ws = mkdtempSync(join(tmpdir(), "aleph-notes-"));
    const at = new Date(2026, 11, 6, 9, 5);
    const file = await appendDailyNote(ws, "Met Ada about the release.", at);
    expect(file).toBe(join(ws, "memory", "2026-12-06.md"));
    writeFileSync(file, `${readFileSync(file, "utf8")}A line the user added by hand.\n`);
    await appendDailyNote(ws, "Second thought.", new Date(2026, 11, 6, 17, 40));
    expect(readFileSync(file, "utf8")).toBe("\n## 09:05\n\nMet Ada about the release.\nA line the user added by hand.\n\n## 17:40\n\nSecond thought.\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(dailyNoteName(new Date(2026, 0, 2, 23, 59))).toBe("2026-01-02.md");
  });

  it("keeps every one of many concurrent appends whole", async () => {
    const ws = mkdtempSync(join(tmpdir(), "aleph-notes-"));
    const at = new Date(2026, 11, 6, 12, 0);
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendDailyNote(ws, `note ${i} ${"x".repeat(200)}`, at)));
    const text = readFileSync(join(ws, "memory", "2026-12-06.md"), "utf8");
    for (let i = 0; i < 50; i++) expect(text).toContain(`note ${i} ${"x".repeat(200)}\n`);
    expect(text.match(/## 12:00/g)).toHaveLength(50);
  });

  it("refuses an empty note", async () => {
    await expect(appendDailyNote(mkdtempSync(join(tmpdir(), "aleph-notes-")), " \n ")).rejects.toThrow(/empty note/);
  });
});

describe("note chunks", () => {
  it("splits at headings and cites the lines of each chunk", () => {
    const note = "\n## 09:05\n\nMet Ada.\nShe leads the release.\n\n## 17:40\n\nSecond thought.\n";
    expect(chunkNote(note)).toEqual([
      { text: "## 09:05\n\nMet Ada.\nShe leads the release.", startLine: 2, endLine: 5 },
      { text: "## 17:40\n\nSecond thought.", startLine: 7, endLine: 9 },
    ]);
  });

  it("splits a long section at paragraphs, then at lines, every chunk bounded", () => {
    const para = (n: number) => Array.from({ length: 5 }, (_, i) => `para ${n} line ${i} ${"word ".repeat(8)}`).join("\n");
    const note = `# Day\n\n${[1, 2, 3, 4].map(para).join("\n\n")}\n`;
    const chunks = chunkNote(note, 300);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(300 + 60);
    expect(chunks.map((c) => c.text).join("\n")).toContain("para 4 line 4");
    expect(chunks[0]!.startLine).toBe(1);
    expect(chunkNote("")).toEqual([]);
    expect(() => chunkNote("x", 10)).toThrow(/too small/);
  });
});
