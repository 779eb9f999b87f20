import { readFileSync } from "node:fs";
import type { ParseOptions } from "../format/parse-skill.js";
import type { SkillParseResult } from "../format/types.js";
import { loadSeeds, relocate, seeded } from "./bundled-seeds.js";
import { IndexCache, type CachedParse } from "./index-cache.js";
import { scanRoot, type FoundSkill, type SkillRoot } from "./scan-root.js";

/*
 * Every skill copy in every root, with its front-matter read: what resolution per agent, matching
 * and the prompt index start from. Each scan stats every SKILL.md and parses only the files that
 * are new or changed (size or mtime) since the cache saw them.
 */

/** A skill copy and what its SKILL.md says. */
export interface IndexedSkill extends FoundSkill {
  parsed: CachedParse;
}

/** What a scan found different from the previous one. */
export interface IndexChanges {
  added: IndexedSkill[];
  changed: IndexedSkill[];
  removed: IndexedSkill[];
}

/** SKILL.md files larger than this are not read (the specification advises under 500 lines). */
export const MAX_SKILL_BYTES = 1024 * 1024;

/** Parses a SKILL.md (the YAML parser is loaded by the first call: a warm start never makes one). */
export type ParseSkill = (text: string, options: ParseOptions) => Promise<SkillParseResult>;

export interface SkillIndexOptions {
  parse: ParseSkill;
  /** The bundled skills parsed at build time (dist/bundled-skills.json). */
  seedsFile?: string | URL;
}

export class SkillIndex {
  #cache: IndexCache;
  #parseSkill: ParseSkill;
  #seedsFile: string | URL | undefined;
  #seeds: ReturnType<typeof loadSeeds> | undefined;
  #copies = new Map<string, IndexedSkill>();
  /** SKILL.md files parsed since this index was made (the rest came from the cache). */
  filesRead = 0;

  constructor(cacheFile: string, options: SkillIndexOptions) {
    this.#cache = new IndexCache(cacheFile);
    this.#parseSkill = options.parse;
    this.#seedsFile = options.seedsFile;
  }

  /** Every copy, in root order then folder order, as of the last scan. */
  get copies(): IndexedSkill[] {
    return [...this.#copies.values()];
  }

  /**
   * Scans `roots` (strongest first) and reports what changed since the previous scan. The cache is
   * written by `save()`: the first scan runs during the kernel's start, where the write can wait.
   */
  async scan(roots: readonly SkillRoot[]): Promise<IndexChanges> {
    const next = new Map<string, IndexedSkill>();
    for (const root of roots) {
      for (const found of scanRoot(root)) {
        // One folder reached through two roots (an agent workspace inside skills_dir): the stronger keeps it.
        if (next.has(found.file)) continue;
        next.set(found.file, { ...found, parsed: await this.#parse(found) });
      }
    }
    const changes: IndexChanges = { added: [], changed: [], removed: [] };
    for (const [file, copy] of next) {
      const before = this.#copies.get(file);
      if (!before) changes.added.push(copy);
      else if (before.size !== copy.size || before.mtimeMs !== copy.mtimeMs || before.refused !== copy.refused) changes.changed.push(copy);
    }
    for (const [file, copy] of this.#copies) if (!next.has(file)) changes.removed.push(copy);
    this.#copies = next;
    this.#cache.keepOnly(new Set(next.keys()));
    return changes;
  }

  /** Writes the cache if a scan changed it. */
  save(): void {
    this.#cache.save();
  }

  async #parse(found: FoundSkill): Promise<CachedParse> {
    if (found.refused) return { ok: false, name: found.folder, errors: [{ file: found.file, message: found.refused }], warnings: [] };
    if (found.size > MAX_SKILL_BYTES) {
      return { ok: false, name: found.folder, errors: [{ file: found.file, message: `SKILL.md is ${found.size} bytes, over the ${MAX_SKILL_BYTES} read: move details to references/` }], warnings: [] };
    }
    const cached = this.#cache.get(found.file, found.size, found.mtimeMs);
    if (cached) return cached;
    this.filesRead++;
    let text: string;
    try {
      // Synchronous on purpose: the index is built during the kernel's start, where an async read
      // waits in libuv's pool behind every other plugin's I/O (SKILL.md files are small).
      text = readFileSync(found.file, "utf8");
    } catch (error) {
      return { ok: false, name: found.folder, errors: [{ file: found.file, message: `cannot read it: ${(error as Error).message}` }], warnings: [] };
    }
    if (found.root.source === "bundled") {
      const seed = seeded((this.#seeds ??= loadSeeds(this.#seedsFile)), found.folder, text);
      if (seed) {
        const result = relocate(seed, found.file);
        this.#cache.setParsed(found.file, found.size, found.mtimeMs, result);
        return result;
      }
    }
    const result = await this.#parseSkill(text, { file: found.file, folder: found.folder });
    this.#cache.set(found.file, found.size, found.mtimeMs, result);
    return this.#cache.get(found.file, found.size, found.mtimeMs)!;
  }
}
