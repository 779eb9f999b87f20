/*
 * The skills plugin's working code beyond its entry, imported on first use (dist/runtime.js):
 * parsing a changed SKILL.md, reading a skill's body and files, matching, evolution.db, evolving and applying suggestions, creating a skill.
 */
export { matcherFor } from "./match/match-set.js";
export { SkillMatcher } from "./match/matcher.js";
export { EvolutionStore } from "./evolution/evolution-store.js";
export { evolveSkill, applySuggestion } from "./evolve-skill.js";
export { createSkill } from "./create-skill.js";
export { parseSkill } from "./format/parse-skill.js";
export { readSkillDetail, readSupportingFile } from "./skill-files.js";
export { writeBundledSeeds } from "./discovery/write-seeds.js";
export { createParts } from "./plugin-parts.js";
