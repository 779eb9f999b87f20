import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { SkillParseResult } from "../format/types.js";
import { withoutBody, type CachedParse } from "./index-cache.js";

/*
 * The skills shipped with this plugin, parsed at build time (dist/bundled-skills.json, keyed by the
 * SHA-256 of each SKILL.md): a fresh workspace's first start lists them without loading the YAML
 * parser. A shipped file that differs from what the build saw is parsed as any other.
 */

interface SeedFile {
  version: 1;
  /** sha256 of the SKILL.md text → its parse, with issues' file left empty. */
  entries: Record<string, CachedParse>;
}

export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Reads the seeds file; none (running from sources, an old build) is an empty map. */
export function loadSeeds(file: string | URL | undefined): Map<string, CachedParse> {
  if (!file) return new Map();
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as SeedFile;
    return data.version === 1 ? new Map(Object.entries(data.entries)) : new Map();
  } catch {
    return new Map();
  }
}

/** A seed as the copy at `file` reads: its issues point at that file. */
export function relocate(seed: CachedParse, file: string): CachedParse {
  const at = <T extends { file: string }>(list: T[]) => list.map((i) => ({ ...i, file }));
  return seed.ok ? { ...seed, warnings: at(seed.warnings) } : { ...seed, errors: at(seed.errors), warnings: at(seed.warnings) };
}

/** The seeds file's content for parsed skill texts (the build calls it). */
export function seedFileText(parsed: { text: string; result: SkillParseResult }[]): string {
  const entries: Record<string, CachedParse> = {};
  for (const { text, result } of parsed) {
    const bare = relocate(withoutBody(result), "");
    entries[contentHash(text)] = bare;
  }
  return `${JSON.stringify({ version: 1, entries } satisfies SeedFile)}\n`;
}

