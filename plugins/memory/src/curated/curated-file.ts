import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@aleph/plugin-sdk";
import { parseEntries, formatEntries } from "./entries.js";

/*
 * Reading and editing a curated file (MEMORY.md, USER.md) as a list of entries. Edits of one file
 * within this process run one after another (each reads what the previous one wrote), and every
 * write is atomic (temp file, fsync, rename), so a crash leaves the old file or the new one.
 * A file that does not exist has no entries; the first edit creates it.
 */

const queues = new Map<string, Promise<unknown>>();

/** The entries of `path` now (none when it does not exist). */
export async function readEntries(path: string): Promise<string[]> {
  try {
    return parseEntries(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Applies `edit` to the entries of `path` and writes the result; resolves with the new entries.
 * An edit that throws (no match, a full file) writes nothing.
 */
export function editEntries(path: string, edit: (entries: string[]) => string[]): Promise<string[]> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.then(async () => {
    const before = await readEntries(path);
    const after = edit(before);
    if (formatEntries(after) !== formatEntries(before)) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 }); // a workspace not seeded yet
      await writeFileAtomic(path, formatEntries(after));
    }
    return after;
  });
  const settled = run.catch(() => undefined);
  queues.set(path, settled);
  // The map holds only the files with an edit pending.
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return run;
}
