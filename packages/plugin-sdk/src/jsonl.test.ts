import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { audit, auditFile, readAudit } from "./audit.js";
import { appendJsonLine, readJsonLines } from "./jsonl.js";

const dir = () => mkdtempSync(join(tmpdir(), "aleph-jsonl-"));

describe("JSONL", () => {
  it("appends one line per value and reads them back", () => {
    const file = join(dir(), "s.jsonl");
    appendJsonLine(file, { a: 1 });
    appendJsonLine(file, { b: "two\nlines" }, { fsync: true });
    expect(readFileSync(file, "utf8")).toBe('{"a":1}\n{"b":"two\\nlines"}\n');
    expect(readJsonLines(file)).toEqual({ records: [{ a: 1 }, { b: "two\nlines" }], invalid: [], intact: true, size: readFileSync(file).length });
  });

  it("returns the bytes written, and byte positions of each record when asked", () => {
    const file = join(dir(), "s.jsonl");
    expect(appendJsonLine(file, { a: "é" })).toBe(11);
    expect(appendJsonLine(file, { b: 2 }, { intact: true })).toBe(8);
    writeFileSync(file, readFileSync(file, "utf8") + "garbage\n", { flag: "w" });
    appendJsonLine(file, { c: 3 });
    const read = readJsonLines(file, { positions: true });
    expect(read.records).toEqual([{ a: "é" }, { b: 2 }, { c: 3 }]);
    const bytes = readFileSync(file);
    expect(read.positions!.map(({ start, end }) => bytes.toString("utf8", start, end))).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
    expect(read.invalid).toEqual([{ line: 3, text: "garbage" }]);
  });

  it("a torn tail costs the next append one extra newline byte, and says the file is not intact until then", () => {
    const file = join(dir(), "s.jsonl");
    appendJsonLine(file, { seq: 1 });
    appendFileSync(file, '{"seq": 2');
    expect(readJsonLines(file).intact).toBe(false);
    expect(appendJsonLine(file, { seq: 3 })).toBe(11);
    expect(readJsonLines(file).intact).toBe(true);
  });

  it("reports a torn last line and keeps every complete record", () => {
    const file = join(dir(), "s.jsonl");
    appendJsonLine(file, { seq: 1 });
    appendFileSync(file, '{"seq": 2, "cont');
    const read = readJsonLines(file);
    expect(read.records).toEqual([{ seq: 1 }]);
    expect(read.torn).toEqual({ line: 2, text: '{"seq": 2, "cont' });
  });

  it("appends after a torn last line on a fresh line, so the new record survives", () => {
    const file = join(dir(), "s.jsonl");
    appendJsonLine(file, { seq: 1 });
    appendFileSync(file, '{"seq": 2, "cont');
    appendJsonLine(file, { seq: 3 });
    const read = readJsonLines(file);
    expect(read.records).toEqual([{ seq: 1 }, { seq: 3 }]);
    expect(read.invalid).toEqual([{ line: 2, text: '{"seq": 2, "cont' }]);
  });

  it("reports corrupt lines in the middle with their numbers, and treats a missing file as empty", () => {
    const file = join(dir(), "s.jsonl");
    writeFileSync(file, '{"a":1}\nnot json\n{"b":2}\n');
    expect(readJsonLines(file)).toEqual({ records: [{ a: 1 }, { b: 2 }], invalid: [{ line: 2, text: "not json" }], intact: true, size: 25 });
    expect(readJsonLines(join(dir(), "none.jsonl"))).toEqual({ records: [], invalid: [], intact: true, size: 0 });
  });

  it("refuses a value that is not JSON", () => {
    expect(() => appendJsonLine(join(dir(), "x"), undefined)).toThrow(/not JSON-serialisable/);
  });
});

describe("audit log", () => {
  it("appends {ts, actor, action, target, ok} to the day's file and reads it back", () => {
    const root = dir();
    const now = new Date("2026-11-21T10:00:00Z");
    audit(root, { actor: "cli", action: "agents.add", target: "main", ok: true }, now);
    audit(root, { actor: "cli", action: "keys.set", target: "openai", ok: false, error: "bad name" }, now);
    expect(auditFile(root, now)).toBe(join(root, "audit", "2026-11-21.jsonl"));
    expect(readAudit(root, now).records).toEqual([
      { ts: "2026-11-21T10:00:00.000Z", actor: "cli", action: "agents.add", target: "main", ok: true },
      { ts: "2026-11-21T10:00:00.000Z", actor: "cli", action: "keys.set", target: "openai", ok: false, error: "bad name" },
    ]);
  });
});
