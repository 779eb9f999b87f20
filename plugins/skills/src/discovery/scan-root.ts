import { readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import type { SkillSource } from "@aleph/plugin-sdk";

/*
 * Finding skill folders in one root: each direct sub-folder holding a SKILL.md is a skill copy.
 * A folder or SKILL.md whose real path leaves the root (a symlink pointing elsewhere) is refused:
 * whoever can write the root decides what is in it, not whatever a link reaches.
 */

export const SKILL_FILE = "SKILL.md";

/** A folder skills are looked for in. */
export interface SkillRoot {
  source: SkillSource;
  dir: string;
  /** The plugin shipping it (plugin, bundled). */
  plugin?: string;
  /** The agent whose workspace it is (agent). */
  agentId?: string;
}

/** A SKILL.md found in a root, with what identifies its content. */
export interface FoundSkill {
  root: SkillRoot;
  /** The folder's name (what the skill's name must equal). */
  folder: string;
  dir: string;
  file: string;
  size: number;
  mtimeMs: number;
  /** Set when the copy is refused before being read (a symlink leading out of the root). */
  refused?: string;
}

/** `child` is `parent` or inside it. */
export function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The skill folders of `root`, in name order; none when it does not exist. */
export function scanRoot(root: SkillRoot): FoundSkill[] {
  let realRoot: string;
  let entries: string[];
  try {
    realRoot = realpathSync(root.dir);
    entries = readdirSync(root.dir);
  } catch {
    return [];
  }
  const found: FoundSkill[] = [];
  for (const folder of entries.sort()) {
    // Hidden folders are tools' state (.git, an editor's), never skills.
    if (folder.startsWith(".")) continue;
    const dir = join(root.dir, folder);
    const file = join(dir, SKILL_FILE);
    let realFile: string;
    try {
      realFile = realpathSync(file);
    } catch {
      continue; // not a folder, or no SKILL.md in it
    }
    const stat = statSync(realFile, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    const base = { root, folder, dir, file, size: stat.size, mtimeMs: stat.mtimeMs };
    if (!isWithin(realFile, realRoot)) {
      found.push({ ...base, refused: `it is a link to ${realFile}, outside its root ${root.dir}: refused (copy the skill into the root instead)` });
      continue;
    }
    found.push(base);
  }
  return found;
}

/** The real path of a file inside a skill's folder, refused when it leaves the folder. */
export function resolveInside(dir: string, path: string): string | { error: string } {
  if (path.includes("\0") || isAbsolute(path)) return { error: `"${path}" is not a path relative to the skill's folder` };
  let realDir: string;
  let real: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(join(dir, path));
  } catch {
    return { error: `the skill has no file "${path}"` };
  }
  if (!isWithin(real, realDir)) return { error: `"${path}" leads out of the skill's folder: refused` };
  return real;
}
