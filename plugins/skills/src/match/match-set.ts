import type { SkillSet } from "../skill-set.js";
import { EmbeddingCache, SkillMatcher } from "./matcher.js";

/** Skill vectors kept across skill sets: a rebuilt set embeds only the skills that changed. */
const vectors = new EmbeddingCache();

/** The matcher of an agent's available skills in `set`, built once per set. */
export function matcherFor(set: SkillSet, agentId: string): SkillMatcher {
  return set.derive(`matcher:${agentId}`, () => new SkillMatcher(set.view(agentId).available, { cache: vectors }));
}
