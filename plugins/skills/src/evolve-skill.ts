import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AlephError, MAX_HISTORY_LIMIT, type ProvidersService, type SessionsService, type SkillInfo, type SkillSuggestion } from "@aleph/plugin-sdk";
import type { SkillsConfig } from "./config.js";
import { SKILL_FILE } from "./discovery/scan-root.js";
import { applySkillFile, copySkillFolder } from "./evolution/apply-suggestion.js";
import { evolutionDue, proposeEvolution, type EvolveFailure } from "./evolution/evolve.js";
import type { EvolutionStore } from "./evolution/evolution-store.js";

/*
 * `aleph skills evolve` and `suggestions apply`, end to end: whether the skill is due, its failing
 * turns as the session kept them, the model's rewrite stored as a suggestion; applying writes it over
 * the copy the agent uses — or, for a copy shipped with Aleph or a plugin (not the user's to edit),
 * over a copy of its folder made in [skills] skills_dir, which then shadows the shipped one.
 */

export interface EvolveInput {
  info: SkillInfo;
  agentId: string;
  force: boolean;
  config: SkillsConfig;
  store: EvolutionStore;
  providers: ProvidersService;
  sessions: SessionsService | undefined;
}

export async function evolveSkill(input: EvolveInput): Promise<SkillSuggestion> {
  const { info, store, config } = input;
  const due = evolutionDue(store.metricsOf(info.name), { failureRate: config.evolve_failure_rate, minUses: config.evolve_min_uses });
  if (!due.due && !input.force) throw new AlephError("ALEPH_E_USAGE", `skill "${info.name}" is not due for evolving: ${due.reason}`, { fix: `wait for more uses, or run it anyway: aleph skills evolve ${info.name} --force` });
  const failures: EvolveFailure[] = [];
  for (const use of store.failingUses(info.name, 5)) failures.push({ error: use.error, transcript: await transcript(input.sessions, use.sessionKey, use.turnId) });
  const currentText = await readFile(info.file, "utf8");
  const content = await proposeEvolution({ skillName: info.name, skillFile: info.file, currentText, failures, providers: input.providers, folder: info.name });
  return store.addSuggestion({ skill: info.name, agentId: input.agentId, reason: input.force && !due.due ? `forced (${due.reason})` : due.reason, file: info.file, content });
}

/** A turn as the session kept it: its messages, one per line. */
async function transcript(sessions: SessionsService | undefined, sessionKey: string, turnId: string): Promise<string> {
  if (!sessions) return "(the session store is not running: no transcript)";
  try {
    const messages = await sessions.history(sessionKey, { limit: MAX_HISTORY_LIMIT });
    const turn = messages.filter((m) => (m.meta as { turnId?: string } | undefined)?.turnId === turnId);
    if (turn.length === 0) return "(the turn's messages are no longer in the session)";
    return turn.map((m) => `${m.role}${m.name ? ` (${m.name})` : ""}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`).join("\n");
  } catch (error) {
    return `(the session could not be read: ${(error as Error).message})`;
  }
}

export interface ApplyInput {
  suggestion: SkillSuggestion;
  /** The copy the agent uses now. */
  info: SkillInfo;
  store: EvolutionStore;
  skillsDir: string;
}

export async function applySuggestion({ suggestion, info, store, skillsDir }: ApplyInput): Promise<SkillSuggestion> {
  if (suggestion.status !== "pending") throw new AlephError("ALEPH_E_CONFLICT", `suggestion ${suggestion.id} was ${suggestion.status} already`, { fix: "aleph skills suggestions list --status pending" });
  let target = info.file;
  if (info.source === "bundled" || info.source === "plugin") {
    const dir = join(skillsDir, info.name);
    await copySkillFolder(info.dir, dir);
    target = join(dir, SKILL_FILE);
  }
  const { backupFile } = await applySkillFile(target, suggestion.content);
  const decided = store.decide(suggestion.id, "applied", backupFile);
  return { ...decided, file: target };
}
