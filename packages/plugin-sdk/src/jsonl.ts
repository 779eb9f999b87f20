import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { PRIVATE_FILE_MODE } from "./private-fs.js";

export interface AppendJsonLineOptions {
  /** fsync before returning: the line survives a power loss, not only a process crash. */
  fsync?: boolean;
  /** Mode of a new file; default 0o600, private like everything under the state root. */
  mode?: number;
  /**
   * The caller knows the file ends with a newline (it wrote the last line itself and nothing
   * changed the file since): skips the read that checks for a torn tail.
   */
  intact?: boolean;
}

/**
 * Appends one JSON value as one line, in one write(2) on an O_APPEND descriptor, so concurrent
 * writers never interleave within a line and a crash leaves at most a torn last line.
 * Returns the bytes written (the line, its newline, and a newline closing a torn tail if any).
 */
export function appendJsonLine(file: string, value: unknown, options: AppendJsonLineOptions = {}): number {
  const line = JSON.stringify(value);
  if (line === undefined) throw new TypeError("appendJsonLine: the value is not JSON-serialisable");
  if (line.includes("\n")) throw new TypeError("appendJsonLine: serialised JSON contains a newline"); // cannot happen with JSON.stringify
  const fd = openSync(file, options.intact ? "a" : "a+", options.mode ?? PRIVATE_FILE_MODE);
  try {
    // After a crash mid-write the file ends in a torn line: start on a fresh line, or this record
    // would be glued to the fragment and lost with it.
    let torn = false;
    if (!options.intact) {
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    }
    const bytes = Buffer.from((torn ? "\n" : "") + line + "\n");
    const written = writeSync(fd, bytes);
    // A short write (a full disk) leaves a torn tail: never report such a line as appended.
    if (written !== bytes.length) throw new Error(`appendJsonLine: wrote ${written} of ${bytes.length} bytes to ${file} (is the disk full?)`);
    if (options.fsync) fsyncSync(fd);
    return bytes.length;
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
  /** Byte range [start, end) of each record's line (without its newline), parallel to records; with `positions: true`. */
  positions?: { start: number; end: number }[];
  /** The file is empty or ends with a newline (an append needs no fresh line first). */
  intact: boolean;
  /** Size of the file as read, in bytes. */
  size: number;
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Reads a JSONL file; a missing file is empty. Tolerates and reports a torn last line. */
export function readJsonLines<T = unknown>(file: string, options: { positions?: boolean } = {}): JsonLinesRead<T> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [], invalid: [], intact: true, size: 0, ...(options.positions ? { positions: [] } : {}) };
    throw error;
  }
  const intact = buffer.length === 0 || buffer[buffer.length - 1] === 0x0a;
  const result: JsonLinesRead<T> = { records: [], invalid: [], intact, size: buffer.length };
  if (options.positions) result.positions = [];
  let line = 0;
  for (let start = 0; start < buffer.length; ) {
    const newline = buffer.indexOf(0x0a, start);
    const end = newline === -1 ? buffer.length : newline;
    const next = newline === -1 ? buffer.length : newline + 1;
    line += 1;
    const raw = buffer.toString("utf8", start, end);
    if (raw.trim() !== "") {
      try {
        result.records.push(JSON.parse(raw) as T);
        result.positions?.push({ start, end });
      } catch {
        // The last line is the one a crash can cut off; an earlier bad line is corruption.
        if (next >= buffer.length) result.torn = { line, text: shorten(raw) };
        else result.invalid.push({ line, text: shorten(raw) });
      }
    }
    // A last line that parses but lacks its newline is a whole record (the cut fell exactly after
    // it): it is kept.
    start = next;
  }
  return result;
}
