import type { ContextContributor, EmbeddingsService, SkillInfo, SkillsService, ToolDefinition } from "@aleph/plugin-sdk";
import { skillsIndexContributor, skillsTurnContributor } from "./agent/skills-context.js";
import { skillReadTool } from "./agent/skill-read-tool.js";
import { matcherFor } from "./match/match-set.js";
import { promptIndex } from "./prompt-index.js";
import { createSkillsService, type ServiceDeps } from "./service.js";
import { readSkillDetail, readSupportingFile } from "./skill-files.js";
import type { SkillSet } from "./skill-set.js";

/*
 * The working parts behind the plugin's registrations — the service, the two context
 * contributors, skill_read's handler — made on first use (dist/runtime.js). The entry registers
 * small stand-ins that call these, so a start loads none of this code.
 */

/** What the parts are made from: the service's own needs, less what the parts derive themselves. */
export type PartsDeps = Omit<ServiceDeps, "promptIndex" | "match">;

export interface PluginParts {
  service: SkillsService;
  index: ContextContributor;
  turn: ContextContributor;
  skillRead: ToolDefinition;
}

export function createParts(deps: PartsDeps): PluginParts {
  const promptIndexOf = (set: SkillSet, agentId: string, maxChars: number) => set.derive(`index:${agentId}:${maxChars}`, () => promptIndex(set.view(agentId).available, maxChars));
  const match = (set: SkillSet, agentId: string, text: string, k: number) =>
    matcherFor(set, agentId).match(text, { k, embeddings: deps.services.getOptional<EmbeddingsService>("embeddings") });
  const body = async (info: SkillInfo) => (await readSkillDetail(info)).body;
  const context = { config: deps.config, tracker: deps.tracker, promptIndex: promptIndexOf, match, body };
  return {
    service: createSkillsService({ ...deps, promptIndex: promptIndexOf, match }),
    index: skillsIndexContributor(context),
    turn: skillsTurnContributor(context),
    skillRead: skillReadTool({ tracker: deps.tracker, detail: readSkillDetail, file: readSupportingFile }),
  };
}
