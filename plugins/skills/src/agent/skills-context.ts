import type { ContextContributor, SkillInfo } from "@aleph/plugin-sdk";
import type { RankedSkill } from "../match/matcher.js";
import type { SkillsConfig } from "../config.js";
import type { SkillSet } from "../skill-set.js";
import type { TurnTracker } from "./turn-tracker.js";

/*
 * Skills in an agent's turn. The index of available skills goes in the system prompt (placement
 * `stable`: it changes only when the skills do, so the provider's prompt cache keeps hitting) and
 * the model loads what it needs with skill_read — about a hundred tokens per skill until then.
 * What a turn is given outright goes on the turn itself: the skill a user invoked with /<name>, and
 * with [skills] auto_match_enabled the best matches for the message.
 */

export interface SkillsContextDeps {
  config: () => SkillsConfig;
  tracker: TurnTracker;
  promptIndex: (set: SkillSet, agentId: string, maxChars: number) => string;
  match: (set: SkillSet, agentId: string, text: string, k: number) => Promise<RankedSkill[]>;
  body: (info: SkillInfo) => Promise<string>;
}

/** `/<name> rest` at the start of a message: the name and the rest. */
export function invokedSkill(message: string): { name: string; rest: string } | undefined {
  const m = /^\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\s+([\s\S]*))?$/.exec(message.trim());
  return m ? { name: m[1]!, rest: (m[2] ?? "").trim() } : undefined;
}

/** A skill's body inside its element: it cannot close the element early. */
function skillElement(info: SkillInfo, body: string, attributes = ""): string {
  return `<skill name="${info.name}" location="${escapeAttribute(info.file)}"${attributes}>\n${body.replace(/<\/skill>/gi, "<\\/skill>").trim()}\n</skill>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function skillsIndexContributor(deps: SkillsContextDeps): ContextContributor {
  return {
    name: "skills-index",
    get maxChars() {
      return deps.config().prompt_max_chars;
    },
    contribute({ agentId, sessionKey }) {
      const config = deps.config();
      if (!config.enabled) return [];
      const text = deps.promptIndex(deps.tracker.setFor(sessionKey), agentId, config.prompt_max_chars);
      return text ? [{ placement: "stable", text }] : [];
    },
  };
}

export function skillsTurnContributor(deps: SkillsContextDeps): ContextContributor {
  return {
    name: "skills-turn",
    get maxChars() {
      // An invoked skill is given whole (its size is bounded by the index's 1 MB per SKILL.md).
      return Math.max(deps.config().auto_match.max_chars, 1024 * 1024);
    },
    async contribute({ agentId, sessionKey, message }) {
      const config = deps.config();
      if (!config.enabled) return [];
      const set = deps.tracker.setFor(sessionKey);
      const view = set.view(agentId);
      const invoked = invokedSkill(message);
      const chosen = invoked ? view.byName.get(invoked.name) : undefined;
      if (invoked && chosen?.status === "available" && chosen.userInvocable) {
        const body = await deps.body(chosen);
        await deps.tracker.used(sessionKey, chosen.name, "invoke");
        const request = invoked.rest ? `Apply it to: ${invoked.rest}` : "Apply it to the conversation so far.";
        return [{ placement: "turn", text: `The user invoked the skill ${chosen.name} (/${chosen.name}). Follow its instructions for this message. ${request}\n${skillElement(chosen, body, ' invoked="true"')}` }];
      }
      if (!config.auto_match_enabled || message.trim() === "") return [];
      const { k, min_score, min_cosine, max_chars } = config.auto_match;
      // Scores are relative to the message's best hit, so relevance is judged on the raw parts: a
      // skill the message names, a strong lexical match, or (with embeddings) a close one.
      const matches = (await deps.match(set, agentId, message, k)).filter((m) => m.parts.named > 0 || m.parts.lexical >= min_score || (m.parts.cosine ?? 0) >= min_cosine);
      const parts: string[] = [];
      let used = 0;
      for (const match of matches) {
        const info = view.byName.get(match.name);
        if (!info) continue;
        const element = skillElement(info, await deps.body(info), ` score="${match.score.toFixed(2)}"`);
        // Whole skills only; one that does not fit is named, for skill_read.
        const text = used + element.length <= max_chars ? element : `<skill name="${info.name}" location="${escapeAttribute(info.file)}" loaded="false">too long to attach: load it with skill_read if it fits</skill>`;
        used += text.length;
        parts.push(text);
        if (text === element) await deps.tracker.used(sessionKey, info.name, "auto");
      }
      if (parts.length === 0) return [];
      return [{ placement: "turn", text: `<matched-skills>\nSkills that match this message. Follow one if it fits the task; ignore them otherwise.\n${parts.join("\n")}\n</matched-skills>` }];
    },
  };
}
