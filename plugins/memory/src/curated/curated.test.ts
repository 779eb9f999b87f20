import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editEntries, readEntries } from "./curated-file.js";
import { addEntry, formatEntries, parseEntries, removeEntry, replaceEntry, type CuratedLimits } from "./entries.js";

const limits: CuratedLimits = { entryMaxChars: 200, fileMaxChars: 500 };
const FILE = "MEMORY.md";

describe("curated entries", () => {
  it("reads § separated entries, and a hand-written file without § as one entry", () => {
    expect(parseEntries("Likes tea.\n§\nLives in Berlin.\r\n  §  \n\nWorks on Aleph\n")).toEqual(["Likes tea.", "Lives in Berlin.", "Works on Aleph"]);
    expect(parseEntries("# Notes\n\nThe user likes tea.\nSection 2 mentions § inline.\n")).toEqual(["# Notes\n\nThe user likes tea.\nSection 2 mentions § inline."]);
    expect(parseEntries("")).toEqual([]);
    expect(parseEntries("\n§\n§\n")).toEqual([]);
    expect(formatEntries(["a", "b"])).toBe("a\n§\nb\n");
    expect(parseEntries(formatEntries(["a\nmore", "b"]))).toEqual(["a\nmore", "b"]);
  });

  it("adds, replaces and removes by a substring that names exactly one entry", () => {
    let entries = addEntry([], "Likes tea", limits, FILE);
    entries = addEntry(entries, "Lives in Berlin", limits, FILE);
    expect(addEntry(entries, "  Likes tea ", limits, FILE)).toEqual(entries); // not twice
    entries = replaceEntry(entries, "Berlin", "Lives in Hamburg", limits, FILE);
    expect(entries).toEqual(["Likes tea", "Lives in Hamburg"]);
    expect(removeEntry(entries, "tea", FILE)).toEqual(["Lives in Hamburg"]);
  });

  it("says which entries an ambiguous or missing match could mean, and changes nothing", () => {
    const entries = ["Likes green tea", "Likes black tea", "Lives in Berlin"];
    expect(() => removeEntry(entries, "tea", FILE)).toThrow(/"tea" is in 2 entries/);
    const ambiguous = (() => {
      try {
        replaceEntry(entries, "Likes", "x", limits, FILE);
      } catch (error) {
        return error as { fix?: string };
      }
    })();
    expect(ambiguous?.fix).toMatch(/"Likes green tea"; "Likes black tea"/);
    expect(() => removeEntry(entries, "coffee", FILE)).toThrow(/no entry of MEMORY.md contains "coffee"/);
    expect(() => removeEntry(entries, "  ", FILE)).toThrow(/give some text/);
    expect(entries).toEqual(["Likes green tea", "Likes black tea", "Lives in Berlin"]);
  });

  it("refuses an empty entry, a § line inside one, an entry too long, and a full file", () => {
    expect(() => addEntry([], "  ", limits, FILE)).toThrow(/empty entry/);
    expect(() => addEntry([], "one\n§\ntwo", limits, FILE)).toThrow(/only §/);
    expect(() => addEntry([], "x".repeat(201), limits, FILE)).toThrow(/201 characters; an entry holds at most 200/);
    const full = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(160));
    expect(() => addEntry(full, "one more entry", limits, FILE)).toThrow(/would hold \d+ characters; it holds at most 500/);
  });
});

describe("curated files", () => {
  it("edits a file atomically, one edit after another, creating it on the first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-curated-"));
    const path = join(dir, "MEMORY.md");
    expect(await readEntries(path)).toEqual([]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => editEntries(path, (e) => addEntry(e, `fact ${i}`, { entryMaxChars: 100, fileMaxChars: 10_000 }, path))));
    const entries = await readEntries(path);
    expect(entries).toHaveLength(20); // none lost to a concurrent read-modify-write
    expect(new Set(entries).size).toBe(20);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("keeps a hand-written file whole and writes nothing when an edit fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-curated-"));
    const path = join(dir, "USER.md");
    const handWritten = "# About the user\n\nPrefers short answers.\n";
    writeFileSync(path, handWritten);
    await expect(editEntries(path, (e) => removeEntry(e, "long answers", path))).rejects.toThrow(/no entry/);
    expect(readFileSync(path, "utf8")).toBe(handWritten);
    await editEntries(path, (e) => addEntry(e, "Lives in Berlin", limits, path));
    expect(readFileSync(path, "utf8")).toBe("# About the user\n\nPrefers short answers.\n§\nLives in Berlin\n");
  });
});
