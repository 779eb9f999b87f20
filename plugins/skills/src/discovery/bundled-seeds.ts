import { readFileSync } from "node:fs";
import type { SkillParseResult } from "../format/types.js";
import { withoutBody, type CachedParse } from "./index-cache.js";

/*
 * The skills shipped with this plugin, parsed at build time (dist/bundled-skills.json, with the text
 * each parse is of): a fresh workspace's first start lists them without loading the YAML parser. A
 * shipped file that differs from what the build saw is parsed as any other. (Texts are compared as
 * they are — a few KB — rather than hashed: crypto's first use costs more than the comparison.)
 */

interface Seed {
  /** The SKILL.md as the build read it. */
  text: string;
  /** Its parse, with issues' file left empty. */
  result: CachedParse;
}

interface SeedFile {
  version: 2;
  /** Folder name → seed. */
  entries: Record<string, Seed>;
}

/** Reads the seeds file; none (running from sources, an old build) is an empty map. */
export function loadSeeds(file: string | URL | undefined): Map<string, Seed> {
  if (!file) return new Map();
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as SeedFile;
    return data.version === 2 ? new Map(Object.entries(data.entries)) : new Map();
  } catch {
    return new Map();
  }
}

/** The parse of `text` in folder `folder`, when the build saw exactly that text there. */
export function seeded(seeds: Map<string, Seed>, folder: string, text: string): CachedParse | undefined {
  const seed = seeds.get(folder);
  return seed?.text === text ? seed.result : undefined;
}

/** A seed as the copy at `file` reads: its issues point at that file. */
export function relocate(seed: CachedParse, file: string): CachedParse {
  const at = <T extends { file: string }>(list: T[]) => list.map((i) => ({ ...i, file }));
  return seed.ok ? { ...seed, warnings: at(seed.warnings) } : { ...seed, errors: at(seed.errors), warnings: at(seed.warnings) };
}

/** The seeds file's content for parsed skill texts (the build calls it). */
export function seedFileText(parsed: { folder: string; text: string; result: SkillParseResult }[]): string {
  const entries: Record<string, Seed> = {};
  for (const { folder, text, result } of parsed) entries[folder] = { text, result: relocate(withoutBody(result), "") };
  return `${JSON.stringify({ version: 2, entries } satisfies SeedFile)}\n`;
}

