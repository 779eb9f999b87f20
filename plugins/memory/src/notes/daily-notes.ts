import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";
import { NOTES_DIR } from "../settings.js";

/*
 * Daily notes: `memory/YYYY-MM-DD.md` in an agent's workspace, append-only. A flush before a
 * compaction, a user's "note this" and the agent's own notes all append; nothing here ever
 * rewrites a day's file (the complaint about other memory plugins: a flush that overwrote the
 * day's notes). Each append is one write to a file opened for appending, so two appends never
 * interleave or overwrite each other. The notes are chunked and indexed as facts elsewhere.
 */

export { NOTES_DIR };

/** The day's file name, by the machine's local calendar (a person's "today"). */
export function dailyNoteName(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}.md`;
}

/** Appends an entry under a time heading to the day's note; resolves with the file written. */
export async function appendDailyNote(workspaceDir: string, text: string, at = new Date()): Promise<string> {
  const body = text.replace(/\r\n?/g, "\n").trim();
  if (body.length === 0) throw new AlephError("ALEPH_E_USAGE", "an empty note cannot be appended", { fix: "give the note's text" });
  const dir = join(workspaceDir, NOTES_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, dailyNoteName(at));
  const time = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  const handle = await open(file, "a", 0o600);
  try {
    // One write of the whole entry: appends never interleave.
    await handle.write(`\n## ${time}\n\n${body}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return file;
}

export interface NoteChunk {
  text: string;
  /** 1-based, inclusive: cited as `<file>#L<start>-L<end>`. */
  startLine: number;
  endLine: number;
}

/**
 * Splits a note into chunks to index: at headings, then at blank lines when a section is longer
 * than `maxChars`, then (a paragraph longer still) at line ends. Each chunk knows its lines.
 */
export function chunkNote(text: string, maxChars = 800): NoteChunk[] {
  if (!Number.isInteger(maxChars) || maxChars < 50) throw new AlephError("ALEPH_E_CONFIG", `note chunks of ${String(maxChars)} characters are too small`, { fix: "50 or more" });
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const chunks: NoteChunk[] = [];
  let current: { lines: string[]; start: number } | undefined;
  const flush = () => {
    if (!current) return;
    const body = current.lines.join("\n").trim();
    if (body.length > 0) {
      // Lines of the chunk that hold text: the citation points at them, not at blank edges.
      const first = current.lines.findIndex((l) => l.trim() !== "");
      const last = current.lines.length - 1 - [...current.lines].reverse().findIndex((l) => l.trim() !== "");
      chunks.push({ text: body, startLine: current.start + first, endLine: current.start + last });
    }
    current = undefined;
  };
  lines.forEach((line, i) => {
    const heading = /^#{1,6}\s/.test(line);
    const size = current ? current.lines.join("\n").length + line.length + 1 : 0;
    const blank = line.trim() === "";
    if (current && (heading || size > maxChars || (blank && size > maxChars / 2))) flush();
    current ??= { lines: [], start: i + 1 };
    current.lines.push(line);
  });
  flush();
  return chunks;
}
