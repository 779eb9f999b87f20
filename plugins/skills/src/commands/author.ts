import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { json, plural, type CommandInput, type SkillCheckReport } from "@aleph/plugin-sdk";
import { parseSkill, portabilityWarnings } from "../format/parse-skill.js";
import { SKILL_FILE } from "../discovery/scan-root.js";
import { agentOption, argument, issueLine, skillsOf } from "./support.js";

/* `aleph skills new|check`: what a skill author runs. */

export async function newCommand(cmd: CommandInput): Promise<number> {
  const name = argument(cmd, "name");
  const file = await skillsOf(cmd).create(name, {
    ...(cmd.options.agent !== undefined ? { agentId: agentOption(cmd) } : {}),
    ...(typeof cmd.options.description === "string" ? { description: cmd.options.description } : {}),
  });
  cmd.out(`Created ${file}\nFill in its description and steps, then: aleph skills check ${join(file, "..")}\n`);
  return 0;
}

/** The skill folders `dir` names: itself when it holds a SKILL.md (or is one), else its sub-folders that do. */
function skillFolders(dir: string): string[] {
  if (basename(dir) === SKILL_FILE && statSync(dir, { throwIfNoEntry: false })?.isFile()) return [join(dir, "..")];
  if (existsSync(join(dir, SKILL_FILE))) return [dir];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.sort().map((e) => join(dir, e)).filter((d) => !basename(d).startsWith(".") && existsSync(join(d, SKILL_FILE)));
}

/** Checks one folder; never throws for bad content. */
export async function checkFolder(dir: string, strict: boolean): Promise<SkillCheckReport> {
  const file = join(dir, SKILL_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "EISDIR" ? "it is a folder, not a file" : (error as Error).message;
    return { dir, name: basename(dir), ok: false, errors: [{ file, message: `cannot read ${SKILL_FILE}: ${why}` }], warnings: [] };
  }
  const result = await parseSkill(text, { file, folder: basename(dir) });
  const warnings = [...result.warnings, ...(strict ? portabilityWarnings(text, file) : [])];
  return result.ok ? { dir, name: result.skill.name, ok: true, errors: [], warnings } : { dir, name: result.name, ok: false, errors: result.errors, warnings };
}

export async function checkCommand(cmd: CommandInput): Promise<number> {
  const dir = resolve(cmd.cwd, typeof cmd.args.dir === "string" ? cmd.args.dir : ".");
  const folders = skillFolders(dir);
  if (folders.length === 0) {
    cmd.err(`No SKILL.md in ${dir} or its folders. A skill is a folder holding a SKILL.md; create one with: aleph skills new <name>\n`);
    return 1;
  }
  const reports: SkillCheckReport[] = [];
  for (const folder of folders) reports.push(await checkFolder(folder, cmd.options.strict === true));
  if (cmd.options.json === true) cmd.out(json(reports));
  else {
    for (const report of reports) {
      cmd.out(`${report.ok ? "ok     " : "INVALID"} ${report.name}  ${report.dir}${report.warnings.length ? `  (${plural(report.warnings.length, "warning")})` : ""}\n`);
      for (const e of report.errors) cmd.out(`  ${issueLine(e, "error")}`);
      for (const w of report.warnings) cmd.out(`  ${issueLine(w, "warning")}`);
    }
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}
