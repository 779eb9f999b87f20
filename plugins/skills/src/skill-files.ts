import { readdirSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AlephError, type SkillDetail, type SkillInfo } from "@aleph/plugin-sdk";
import { parseSkill } from "./format/parse-skill.js";
import { resolveInside } from "./discovery/scan-root.js";

/*
 * A skill's instructions and supporting files, read when a skill is loaded — never at indexing:
 * progressive disclosure keeps the index to names and descriptions.
 */

/** Folders of supporting files the specification names. */
export const SUPPORT_DIRS = ["scripts", "references", "assets"] as const;
/** A supporting file is read up to this size. */
export const MAX_FILE_BYTES = 256 * 1024;
/** Supporting files listed at most (a skill with more is shown the first ones). */
const MAX_LISTED = 200;

/** The winning copy with its body, read now. */
export async function readSkillDetail(info: SkillInfo): Promise<SkillDetail> {
  const text = await readFile(info.file, "utf8").catch((error: Error) => {
    throw new AlephError("ALEPH_E_NOT_FOUND", `cannot read skill "${info.name}" (${info.file}): ${error.message}`, { fix: "aleph skills list shows where each skill is" });
  });
  const parsed = await parseSkill(text, { file: info.file, folder: info.dir.split(/[\\/]/).pop()! });
  if (!parsed.ok) {
    throw new AlephError("ALEPH_E_CONFIG", `skill "${info.name}" is no longer valid: ${parsed.errors[0]!.message}`, { file: info.file, fix: `aleph skills check ${info.dir}` });
  }
  return { ...info, body: parsed.skill.body, files: supportingFiles(info.dir) };
}

/** The supporting files of a skill folder, relative to it, sorted. */
export function supportingFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= MAX_LISTED || entry.name.startsWith(".")) continue;
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
    }
  };
  for (const sub of SUPPORT_DIRS) walk(sub);
  return out;
}

/** One supporting file of a skill as text; refused when it leaves the folder, is too big or is not text. */
export async function readSupportingFile(info: SkillInfo, path: string): Promise<string> {
  const real = resolveInside(info.dir, path.replace(/^\.\//, ""));
  if (typeof real !== "string") throw new AlephError("ALEPH_E_NOT_FOUND", `skill "${info.name}": ${real.error}`, { fix: `aleph skills show ${info.name} lists its files` });
  const handle = await open(real, "r");
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AlephError("ALEPH_E_USAGE", `skill "${info.name}": "${path}" is not a file`, { fix: `aleph skills show ${info.name} lists its files` });
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    if (buffer.includes(0)) throw new AlephError("ALEPH_E_USAGE", `skill "${info.name}": "${path}" is not a text file`, { fix: "run or open it from the skill's folder instead of reading it" });
    const text = buffer.toString("utf8");
    return stat.size > MAX_FILE_BYTES ? `${text}\n[… cut: the file is ${stat.size} bytes, the first ${MAX_FILE_BYTES} are shown]` : text;
  } finally {
    await handle.close();
  }
}
