import { AlephError } from "@aleph/plugin-sdk";

/*
 * The entry format memory owns in an agent's curated files (MEMORY.md, USER.md): bounded entries
 * separated by lines holding only `§`. A file written by hand without any `§` line is one entry,
 * so nothing a user wrote is lost or split by guesswork. Edits name an entry by a substring that
 * must match exactly one entry; an ambiguous or missing match is an error listing what there is.
 * A full file is an error to the caller — never a silent drop.
 */

export interface CuratedLimits {
  /** The longest entry, in characters. */
  entryMaxChars: number;
  /** The longest file, in characters (entries and separators). */
  fileMaxChars: number;
}

const SEPARATOR_LINE = /^[ \t]*§[ \t]*$/m;
const SEPARATOR = "\n§\n";

/** The entries of a curated file, in order; blank entries are dropped. */
export function parseEntries(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split(new RegExp(SEPARATOR_LINE.source, "gm"))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** The file for `entries` (a trailing newline; empty when there is none). */
export function formatEntries(entries: readonly string[]): string {
  return entries.length === 0 ? "" : `${entries.join(SEPARATOR)}\n`;
}

/** The first characters of an entry, on one line, for an error message. */
function preview(entry: string): string {
  const line = entry.replace(/\s+/g, " ");
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function checkEntry(text: string, limits: CuratedLimits, file: string): string {
  const entry = text.replace(/\r\n?/g, "\n").trim();
  if (entry.length === 0) throw new AlephError("ALEPH_E_USAGE", "an empty entry cannot be written", { file, fix: "give the text of the entry" });
  if (SEPARATOR_LINE.test(entry)) {
    throw new AlephError("ALEPH_E_USAGE", "an entry cannot contain a line holding only §: it separates entries", { file, fix: "remove that line, or write two entries" });
  }
  if (entry.length > limits.entryMaxChars) {
    throw new AlephError("ALEPH_E_LIMIT", `the entry has ${entry.length} characters; an entry holds at most ${limits.entryMaxChars}`, { file, fix: "shorten it, or split it into entries" });
  }
  return entry;
}

function checkFile(entries: string[], limits: CuratedLimits, file: string): string[] {
  const size = formatEntries(entries).length;
  if (size > limits.fileMaxChars) {
    throw new AlephError("ALEPH_E_LIMIT", `${file} would hold ${size} characters; it holds at most ${limits.fileMaxChars}`, {
      file,
      fix: "remove or shorten an entry first (replace or remove), then add",
    });
  }
  return entries;
}

/** The one entry containing `match`; none or several is an error naming the candidates. */
function findOne(entries: readonly string[], match: string, file: string): number {
  if (match.trim().length === 0) throw new AlephError("ALEPH_E_USAGE", "give some text of the entry to change", { file, fix: "pass a substring that appears in exactly one entry" });
  const hits = entries.flatMap((entry, i) => (entry.includes(match) ? [i] : []));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) {
    throw new AlephError("ALEPH_E_NOT_FOUND", `no entry of ${file} contains "${match}"`, {
      file,
      fix: entries.length === 0 ? "the file has no entries yet" : `entries: ${entries.map((e) => `"${preview(e)}"`).join("; ")}`,
    });
  }
  throw new AlephError("ALEPH_E_USAGE", `"${match}" is in ${hits.length} entries of ${file}`, {
    file,
    fix: `give text that only one of them contains: ${hits.map((i) => `"${preview(entries[i]!)}"`).join("; ")}`,
  });
}

/** Appends an entry (an identical one already there is not added twice). */
export function addEntry(entries: readonly string[], text: string, limits: CuratedLimits, file: string): string[] {
  const entry = checkEntry(text, limits, file);
  if (entries.includes(entry)) return [...entries];
  return checkFile([...entries, entry], limits, file);
}

/** Replaces the one entry containing `match` with `text`. */
export function replaceEntry(entries: readonly string[], match: string, text: string, limits: CuratedLimits, file: string): string[] {
  const at = findOne(entries, match, file);
  const entry = checkEntry(text, limits, file);
  return checkFile(entries.map((e, i) => (i === at ? entry : e)), limits, file);
}

/** Removes the one entry containing `match`. */
export function removeEntry(entries: readonly string[], match: string, file: string): string[] {
  const at = findOne(entries, match, file);
  return entries.filter((_, i) => i !== at);
}
