import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "@aleph/plugin-sdk";
import type { SkillParseResult } from "../format/types.js";

/*
 * The parsed front-matter of every SKILL.md seen, kept on disk keyed by path, size and mtime: a
 * start with hundreds of skills stats them and re-reads only what changed. The body is never kept
 * (it is read when a skill is loaded), so the file stays small.
 */

/** A parse result without the body. */
export type CachedParse = SkillParseResult extends infer R ? (R extends { ok: true; skill: infer S } ? Omit<R, "skill"> & { skill: Omit<S, "body"> } : R) : never;

interface CacheEntry {
  size: number;
  mtimeMs: number;
  result: CachedParse;
}

interface CacheFile {
  version: 1;
  entries: Record<string, CacheEntry>;
}

export class IndexCache {
  #entries = new Map<string, CacheEntry>();
  #dirty = false;

  constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
      if (data.version === 1 && data.entries && typeof data.entries === "object") this.#entries = new Map(Object.entries(data.entries));
    } catch {
      // None yet, or unreadable: every file is read once and the cache written again.
    }
  }

  /** The cached result for a file unchanged since it was cached. */
  get(file: string, size: number, mtimeMs: number): CachedParse | undefined {
    const entry = this.#entries.get(file);
    return entry && entry.size === size && entry.mtimeMs === mtimeMs ? entry.result : undefined;
  }

  set(file: string, size: number, mtimeMs: number, result: SkillParseResult): void {
    this.setParsed(file, size, mtimeMs, withoutBody(result));
  }

  setParsed(file: string, size: number, mtimeMs: number, result: CachedParse): void {
    this.#entries.set(file, { size, mtimeMs, result });
    this.#dirty = true;
  }

  /** Forgets files no longer seen, so the cache holds only what is on disk. */
  keepOnly(files: ReadonlySet<string>): void {
    for (const file of this.#entries.keys()) {
      if (!files.has(file)) {
        this.#entries.delete(file);
        this.#dirty = true;
      }
    }
  }

  /** Writes the cache when it changed (synchronously: see SkillIndex.scan). */
  save(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const data: CacheFile = { version: 1, entries: Object.fromEntries(this.#entries) };
    writeFileAtomicSync(this.file, JSON.stringify(data), { mode: 0o600, durable: false });
  }
}

/** A parse result as the cache keeps it: without the body. */
export function withoutBody(result: SkillParseResult): CachedParse {
  if (!result.ok) return result;
  const { body: _body, ...skill } = result.skill;
  return { ...result, skill };
}
