import { z } from "@aleph/plugin-sdk";

/* The [skills] section of config.toml, owned by this plugin (docs/skills.md lists every key). */

const autoMatchConfig = z.strictObject({
  k: z.number().int().min(1).max(10).default(2).describe("skills attached to a turn at most"),
  min_score: z.number().min(0).max(1000).default(3).describe("the least BM25 score of the message against a skill's name and description for it to be attached (a skill named in the message always is)"),
  min_cosine: z.number().min(0).max(1).default(0.5).describe("with the embeddings service: a skill this similar to the message is attached whatever its words"),
  max_chars: z.number().int().min(500).max(200_000).default(12_000).describe("characters the attached skills may take together"),
});

export const skillsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("offer skills to agents (the index, skill_read, auto-match, /<name>); false: none, the CLI still lists them"),
  skills_dir: z.string().min(1).default("skills").describe("the user's skills folder, relative to the state root (or absolute)"),
  auto_match_enabled: z.boolean().default(false).describe("attach the skills that best match the user's message to the turn"),
  auto_match: autoMatchConfig.prefault({}),
  prompt_max_chars: z.number().int().min(200).max(200_000).default(8_000).describe("characters the skills index in the system prompt may take"),
  evolve_failure_rate: z.number().min(0).max(1).default(0.3).describe("failure rate past which `aleph skills evolve` may propose an improved SKILL.md"),
  evolve_min_uses: z.number().int().min(1).max(100_000).default(5).describe("finished uses a skill needs before its failure rate counts"),
});

export type SkillsConfig = z.output<typeof skillsConfigSchema>;
