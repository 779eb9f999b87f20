import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from "node:fs";

/**
 * Appends one JSON value as one line, in one write(2) on an O_APPEND descriptor, so concurrent
 * writers never interleave within a line and a crash leaves at most a torn last line.
 * `fsync: true` makes the line durable before returning (for records that must survive a crash).
 */
export function appendJsonLine(file: string, value: unknown, options: { fsync?: boolean; mode?: number } = {}): void {
  const line = JSON.stringify(value);
  if (line === undefined) throw new TypeError("appendJsonLine: the value is not JSON-serialisable");
  if (line.includes("\n")) throw new TypeError("appendJsonLine: serialised JSON contains a newline"); // cannot happen with JSON.stringify
  const fd = openSync(file, "a+", options.mode ?? 0o644);
  try {
    // After a crash mid-write the file ends in a torn line: start on a fresh line, or this record
    // would be glued to the fragment and lost with it.
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, Buffer.from((torn ? "\n" : "") + line + "\n"));
    if (options.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface JsonLinesRead<T> {
  records: T[];
  /** A last line without its newline, or not JSON: a write that was cut off. Reported, not fatal. */
  torn?: { line: number; text: string };
  /** Complete lines (not the last) that are not JSON: corruption, reported with their line numbers. */
  invalid: { line: number; text: string }[];
}

/** Reads a JSONL file; a missing file is empty. Tolerates and reports a torn last line. */
export function readJsonLines<T = unknown>(file: string): JsonLinesRead<T> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [], invalid: [] };
    throw error;
  }
  const result: JsonLinesRead<T> = { records: [], invalid: [] };
  const lines = text.split("\n");
  const complete = text.endsWith("\n");
  // With a trailing newline the split leaves a final "" that is not a line.
  const count = complete ? lines.length - 1 : lines.length;
  for (let i = 0; i < count; i++) {
    const raw = lines[i]!;
    const last = i === count - 1;
    if (raw.trim() === "") continue;
    try {
      result.records.push(JSON.parse(raw) as T);
    } catch {
      const entry = { line: i + 1, text: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw };
      if (last) result.torn = entry;
      else result.invalid.push(entry);
    }
    // A last line that parses but lacks its newline is a whole record (the cut fell exactly after
    // it): it is kept.
  }
  return result;
}
