import { compareStrings, type SkillInfo, type SkillIssue } from "@aleph/plugin-sdk";
import { BinaryLookup, unmetRequirements, type GateEnvironment } from "../gating/requirements.js";
import type { IndexedSkill } from "./skill-index.js";

/*
 * Which copy of each skill an agent gets, and whether it can use it. Copies come strongest root
 * first; the strongest *valid* copy of a name wins (a broken override is reported, and does not take
 * away a working skill), the others are shadowed by it. A winner whose requirements are unmet is
 * unavailable: the stronger copy replaced the weaker one on purpose, even where it cannot run.
 */

/** One agent's view of the skills: every copy with its status, and the winners by name. */
export interface ResolvedSkills {
  /** Winners first by name, each followed by the copies it shadows. */
  all: SkillInfo[];
  /** The winning copy of each name (any status but shadowed). */
  byName: Map<string, SkillInfo>;
  /** Winners that agents are offered, by name. */
  available: SkillInfo[];
}

export function resolveSkills(copies: readonly IndexedSkill[], gate: GateEnvironment): ResolvedSkills {
  const bins = new BinaryLookup(gate.path);
  const groups = new Map<string, IndexedSkill[]>();
  for (const copy of copies) {
    const name = copy.parsed.ok ? copy.parsed.skill.name : copy.parsed.name;
    const group = groups.get(name);
    if (group) group.push(copy);
    else groups.set(name, [copy]);
  }
  const all: SkillInfo[] = [];
  const byName = new Map<string, SkillInfo>();
  const available: SkillInfo[] = [];
  for (const name of [...groups.keys()].sort(compareStrings)) {
    const group = groups.get(name)!;
    const winner = group.find((c) => c.parsed.ok);
    const infos = group.map((copy) => info(copy, winner, gate, bins));
    const winnerInfo = winner ? infos[group.indexOf(winner)]! : infos[0]!;
    byName.set(name, winnerInfo);
    if (winnerInfo.status === "available") available.push(winnerInfo);
    all.push(winnerInfo, ...infos.filter((i) => i !== winnerInfo));
  }
  return { all, byName, available };
}

function info(copy: IndexedSkill, winner: IndexedSkill | undefined, gate: GateEnvironment, bins: BinaryLookup): SkillInfo {
  const where = { source: copy.root.source, ...(copy.root.plugin ? { plugin: copy.root.plugin } : {}), ...(copy.root.agentId ? { agentId: copy.root.agentId } : {}), dir: copy.dir, file: copy.file };
  const parsed = copy.parsed;
  if (!parsed.ok) {
    const reasons = parsed.errors.map(issueText);
    if (winner) reasons.push(`the ${winner.root.source} copy ${winner.file} is used instead`);
    return { name: parsed.name, description: "", ...where, status: "invalid", reasons, errors: parsed.errors, warnings: parsed.warnings, userInvocable: false, metadata: {}, allowedTools: [] };
  }
  const s = parsed.skill;
  const base = {
    name: s.name,
    description: s.description,
    ...where,
    errors: [],
    warnings: parsed.warnings,
    userInvocable: s.userInvocable,
    ...(s.license !== undefined ? { license: s.license } : {}),
    ...(s.compatibility !== undefined ? { compatibility: s.compatibility } : {}),
    metadata: s.metadata,
    allowedTools: s.allowedTools,
    ...(s.requires ? { requires: s.requires } : {}),
  };
  if (winner && winner !== copy) {
    return { ...base, status: "shadowed", reasons: [`shadowed by the ${winner.root.source} copy ${winner.file}`], shadowedBy: { source: winner.root.source, file: winner.file } };
  }
  const unmet = unmetRequirements(s.requires, gate, bins);
  return { ...base, status: unmet.length > 0 ? "unavailable" : "available", reasons: unmet };
}

/** An issue as one line: `file:line: message`. */
export function issueText(issue: SkillIssue): string {
  return `${issue.file}${issue.line !== undefined ? `:${issue.line}` : ""}: ${issue.message}`;
}

