import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { SKIPPED_DIRS, WALK_MAX_ENTRIES } from "./limits.js";

/*
 * A depth-first walk of a folder for glob and grep, in name order (results are the same on every
 * run). It never enters node_modules or .git, and never follows a link into a folder: a link is
 * reported as one and left to the caller, which checks where it leads before reading through it.
 */

export type EntryType = "file" | "dir" | "link" | "other";

export interface WalkEntry {
  /** "/"-separated, relative to the folder walked. */
  rel: string;
  abs: string;
  type: EntryType;
}

export interface WalkOptions {
  signal?: AbortSignal | undefined;
  /** Entries visited at most; past it the walk ends and `onLimit` is called. */
  maxEntries?: number;
  onLimit?: () => void;
}

export async function* walk(dir: string, options: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const max = options.maxEntries ?? WALK_MAX_ENTRIES;
  let visited = 0;
  const stack: { abs: string; rel: string }[] = [{ abs: dir, rel: "" }];
  while (stack.length > 0) {
    const { abs, rel } = stack.pop()!;
    const entries = await readSorted(abs);
    const subdirs: { abs: string; rel: string }[] = [];
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      if (++visited > max) {
        options.onLimit?.();
        return;
      }
      const childAbs = join(abs, entry.name);
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const type: EntryType = entry.isSymbolicLink() ? "link" : entry.isDirectory() ? "dir" : entry.isFile() ? "file" : "other";
      yield { rel: childRel, abs: childAbs, type };
      if (type === "dir" && !SKIPPED_DIRS.has(entry.name)) subdirs.push({ abs: childAbs, rel: childRel });
    }
    // Pushed in reverse so the first subfolder is walked first.
    for (const sub of subdirs.reverse()) stack.push(sub);
  }
}

/** A folder's entries by name; one that vanished or cannot be read is walked as empty. */
async function readSorted(dir: string) {
  try {
    const handle = await opendir(dir);
    const entries = [];
    for await (const entry of handle) entries.push(entry);
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}
