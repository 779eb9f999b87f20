import { AlephError, type SkillInfo, type ToolDefinition } from "@aleph/plugin-sdk";
import type { SkillSet } from "../skill-set.js";
import type { TurnTracker } from "./turn-tracker.js";

/*
 * `skill_read`: how a model loads a skill it found in the index — its instructions, or one of its
 * supporting files (scripts/, references/, assets/), read on demand. Loading the instructions or a
 * file into a turn is a use of the skill (evolution.db).
 */

export interface SkillReadDeps {
  tracker: TurnTracker;
  detail: (info: SkillInfo) => Promise<{ body: string; files: string[] }>;
  file: (info: SkillInfo, path: string) => Promise<string>;
}

/** The winner of `name` for the agent, or an error the model can act on. */
export function usableSkill(set: SkillSet, agentId: string, name: string): SkillInfo {
  const view = set.view(agentId);
  const info = view.byName.get(name);
  if (!info) {
    const names = view.available.map((s) => s.name);
    throw new AlephError("ALEPH_E_NOT_FOUND", `no skill "${name}"`, { fix: names.length ? `the available skills: ${names.slice(0, 50).join(", ")}${names.length > 50 ? ", …" : ""}` : "no skills are available" });
  }
  if (info.status !== "available") throw new AlephError("ALEPH_E_UNAVAILABLE", `skill "${name}" is ${info.status}: ${info.reasons.join("; ")}`, { fix: "aleph skills list shows why" });
  return info;
}

/** What the model is shown of the tool (the plugin's entry registers it with a handler that loads the rest). */
export const SKILL_READ_TOOL = {
  name: "skill_read",
  description:
    "Load a skill listed in <available_skills>: without file, its instructions (SKILL.md) and the list of its files; with file (a path from that list, e.g. references/api.md), that file's text. Load a skill before following it.",
  parameters: {
    type: "object",
    properties: {
      name: { type: "string", description: "the skill's name, as listed" },
      file: { type: "string", description: "a supporting file, relative to the skill's folder" },
    },
    required: ["name"],
    additionalProperties: false,
  },
} as const;

export function skillReadTool(deps: SkillReadDeps): ToolDefinition {
  return {
    ...SKILL_READ_TOOL,
    async handler(args: { name: string; file?: string }, context) {
      const agentId = context.agentId ?? "main";
      const info = usableSkill(deps.tracker.setFor(context.sessionKey), agentId, args.name);
      let text: string;
      if (args.file) text = await deps.file(info, args.file);
      else {
        const { body, files } = await deps.detail(info);
        text = `# Skill ${info.name}\nLocation: ${info.file}\n${files.length ? `Files (read with skill_read {name, file}): ${files.join(", ")}\n` : ""}\n${body.trim()}\n`;
      }
      await deps.tracker.used(context.sessionKey, info.name, "read");
      return text;
    },
  };
}
