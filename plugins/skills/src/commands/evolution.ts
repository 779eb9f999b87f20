import { readFile } from "node:fs/promises";
import { json, plural, printable, table, type CommandInput, type SkillSuggestion } from "@aleph/plugin-sdk";
import { agentOption, argument, skillsOf, when } from "./support.js";

/* `aleph skills stats|evolve|suggestions …`: how skills fare, and improving the ones that fail. */

export async function statsCommand(cmd: CommandInput): Promise<number> {
  const stats = await skillsOf(cmd).stats();
  if (cmd.options.json === true) {
    cmd.out(json(stats));
    return 0;
  }
  cmd.out(`Index: ${plural(stats.indexed, "skill copy").replace("copys", "copies")}; ${stats.filesRead} SKILL.md read by this kernel (the rest from its cache); first build ${stats.buildMs} ms.\n`);
  if (stats.metrics.length === 0) {
    cmd.out("No uses recorded yet (a use is a skill loaded into a turn: skill_read, auto-match or /<name>).\n");
    return 0;
  }
  const rows = [["SKILL", "USES", "OK", "FAILED", "CANCELLED", "SUCCESS", "P50", "LAST USED"]];
  for (const m of stats.metrics) {
    rows.push([m.name, String(m.uses), String(m.completed), String(m.failed), String(m.cancelled), m.successRate === null ? "-" : `${Math.round(m.successRate * 100)}%`, m.p50Ms === null ? "-" : `${(m.p50Ms / 1000).toFixed(1)} s`, when(m.lastUsedAt)]);
  }
  cmd.out(table(rows));
  return 0;
}

export async function evolveCommand(cmd: CommandInput): Promise<number> {
  const suggestion = await skillsOf(cmd).evolve(argument(cmd, "name"), { agentId: agentOption(cmd), ...(cmd.options.force === true ? { force: true } : {}) });
  if (cmd.options.json === true) cmd.out(json(suggestion));
  else cmd.out(`Suggestion ${suggestion.id} for ${suggestion.skill} (${suggestion.reason}).\nReview it: aleph skills suggestions show ${suggestion.id}\nThen: aleph skills suggestions apply ${suggestion.id}  (or reject)\n`);
  return 0;
}

export async function suggestionsListCommand(cmd: CommandInput): Promise<number> {
  const list = await skillsOf(cmd).suggestions({
    ...(typeof cmd.options.status === "string" ? { status: cmd.options.status as SkillSuggestion["status"] } : {}),
    ...(typeof cmd.options.skill === "string" ? { skill: cmd.options.skill } : {}),
  });
  if (cmd.options.json === true) cmd.out(json(list));
  else if (list.length === 0) cmd.out("No suggestions. `aleph skills evolve <name>` makes one for a skill that fails too often.\n");
  else cmd.out(table([["ID", "SKILL", "STATUS", "CREATED", "WHY"], ...list.map((s) => [s.id, s.skill, s.status, when(s.createdAt), printable(s.reason)])]));
  return 0;
}

export async function suggestionsShowCommand(cmd: CommandInput): Promise<number> {
  const s = await skillsOf(cmd).suggestion(argument(cmd, "id"));
  if (cmd.options.json === true) {
    cmd.out(json(s));
    return 0;
  }
  cmd.out(`${s.id}: ${s.skill} (${s.status}${s.decidedAt ? ` ${when(s.decidedAt)}` : ""}), made ${when(s.createdAt)}\nwhy: ${printable(s.reason)}\nreplaces: ${s.file}\n\n`);
  const current = await readFile(s.file, "utf8").catch(() => undefined);
  cmd.out(current === undefined ? s.content : lineDiff(current, s.content));
  return 0;
}

export async function suggestionsApplyCommand(cmd: CommandInput): Promise<number> {
  const s = await skillsOf(cmd).applySuggestion(argument(cmd, "id"));
  if (cmd.options.json === true) cmd.out(json(s));
  else cmd.out(`Applied ${s.id} to ${s.file}${s.backupFile ? `; the previous file is kept as ${s.backupFile}` : ""}.\n`);
  return 0;
}

export async function suggestionsRejectCommand(cmd: CommandInput): Promise<number> {
  const s = await skillsOf(cmd).rejectSuggestion(argument(cmd, "id"));
  cmd.out(`Rejected ${s.id} (${s.skill}).\n`);
  return 0;
}

/** A unified-style diff of two texts by lines (longest common subsequence; SKILL.md files are small). */
export function lineDiff(before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return `${out.join("\n")}\n`;
}
