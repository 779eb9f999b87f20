/*
 * The skills plugin's working code beyond its entry, imported on first use (dist/runtime.js):
 * matching, evolution.db, evolving and applying suggestions, creating a skill.
 */
export { matcherFor } from "./match/match-set.js";
export { EvolutionStore } from "./evolution/evolution-store.js";
export { evolveSkill, applySuggestion } from "./evolve-skill.js";
export { createSkill } from "./create-skill.js";
