/*
 * Fixture skills for the skills plugin's end-to-end tests (skills.test.ts): SKILL.md folders written
 * as plain files, a contributing plugin, and the JSON the `aleph skills …` commands print.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SkillDetail, SkillInfo, SkillsStats } from "@aleph/plugin-sdk";
import { runCli, type Workspace } from "./aleph.js";
import { manifestText, writePlugin } from "./plugins.js";

export type { SkillDetail, SkillInfo, SkillsStats };

/** `aleph skills list --json`. */
export interface SkillsList {
  agent: string;
  path: string;
  skills: SkillInfo[];
}

export interface SkillSpec {
  /** Default: the folder's name. */
  name?: string;
  description?: string;
  /** Extra front-matter lines (YAML), after name and description. */
  extra?: string;
  /** Default: `Instructions of <name>.` */
  body?: string;
}

/** A SKILL.md's text: `---`, name, description, the extra lines, `---`, a blank line, the body. */
export function skillText(folder: string, spec: SkillSpec = {}): string {
  const name = spec.name ?? folder;
  const description = spec.description ?? `What ${name} does and when to use it.`;
  const lines = ["---", `name: ${name}`, `description: ${yamlText(description)}`];
  if (spec.extra) lines.push(spec.extra.replace(/\n$/, ""));
  lines.push("---", "", spec.body ?? `Instructions of ${name}.`, "");
  return lines.join("\n");
}

/** Text as a YAML scalar: plain when YAML reads it back unchanged as text, else double-quoted. */
function yamlText(text: string): string {
  const plain = text !== "" && !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/: |\s#|:$|\s$/.test(text) && !/^(true|false|null|~|[-+.\d][\d._eE+-]*)$/i.test(text);
  return plain ? text : JSON.stringify(text);
}

/** Writes `<parent>/<folder>/SKILL.md` (a spec, or the file's whole text) and returns the file. */
export function writeSkill(parent: string, folder: string, spec: SkillSpec | string = {}): string {
  const dir = join(parent, folder);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "SKILL.md");
  writeFileSync(file, typeof spec === "string" ? spec : skillText(folder, spec));
  return file;
}

/**
 * Makes a skill folder appear in `parent` in one step (written in `staging`, then renamed in), so a
 * watcher never sees the folder without its SKILL.md. Returns the file.
 */
export function installSkill(staging: string, parent: string, folder: string, spec: SkillSpec | string = {}): string {
  const staged = join(staging, `skill-${folder}-${Math.random().toString(36).slice(2, 8)}`);
  writeSkill(staged, folder, spec);
  mkdirSync(parent, { recursive: true });
  renameSync(join(staged, folder), join(parent, folder));
  return join(parent, folder, "SKILL.md");
}

/** The main agent's workspace skills/ (the workspace plugin's default layout). */
export const agentSkillsDir = (ws: Workspace, agentId = "main") => join(ws.root, "agents", agentId, "workspace", "skills");
/** `[skills] skills_dir` by default. */
export const rootSkillsDir = (ws: Workspace) => join(ws.root, "skills");

/** A plugin that does nothing but contribute `skills/` ([contributes] skills = ["skills"]); returns its directory. */
export function writeSkillsPlugin(dir: string, id: string): string {
  return writePlugin(dir, {
    id,
    manifest: `${manifestText({ id })}\n[contributes]\nskills = ["skills"]\n`,
    code: "export default { setup() {} };\n",
  });
}

/** Runs a `--json` command with extra environment and parses its stdout. */
export async function cliJson<T = any>(ws: Workspace, args: string[], options: { env?: NodeJS.ProcessEnv; expectedCode?: number } = {}): Promise<T> {
  const result = await runCli(ws, args, options.env ? { env: options.env } : {});
  if (result.code !== (options.expectedCode ?? 0)) {
    throw new Error(`aleph ${args.join(" ")} exited ${result.code} (expected ${options.expectedCode ?? 0})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`aleph ${args.join(" ")} printed something that is not JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** `aleph skills list --json` (plus `args`, e.g. `--agent x`). */
export function listSkills(ws: Workspace, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<SkillsList> {
  return cliJson<SkillsList>(ws, ["skills", "list", "--json", ...args], env ? { env } : {});
}

/** Every listed copy of `name`, in the order listed (the winner first). */
export const copiesOf = (list: SkillsList, name: string) => list.skills.filter((s) => s.name === name);

/** The one listed copy whose SKILL.md is `file`. */
export function copyAt(list: SkillsList, file: string): SkillInfo {
  const found = list.skills.filter((s) => s.file === file);
  if (found.length !== 1) throw new Error(`expected one copy at ${file}, found ${found.length}: ${JSON.stringify(list.skills.map((s) => `${s.name} ${s.status} ${s.file}`), null, 2)}`);
  return found[0]!;
}

/** name → status of the listed winners (the first copy of each name). */
export function statusByName(list: SkillsList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list.skills) if (!(s.name in out)) out[s.name] = s.status;
  return out;
}
