import * as z from "@aleph/zod/mini";

/* The [skills] section of config.toml, owned by this plugin (docs/skills.md lists every key). */

const autoMatchConfig = z.strictObject({
  k: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(10)), 2).check(z.describe("skills attached to a turn at most")),
  min_score: z._default(z.number().check(z.minimum(0), z.maximum(1000)), 3).check(z.describe("the least BM25 score of the message against a skill's name and description for it to be attached (a skill named in the message always is)")),
  min_cosine: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.5).check(z.describe("with the embeddings service: a skill this similar to the message is attached whatever its words")),
  max_chars: z._default(z.number().check(z.int(), z.minimum(500), z.maximum(200_000)), 12_000).check(z.describe("characters the attached skills may take together")),
});

export const skillsConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true).check(z.describe("offer skills to agents (the index, skill_read, auto-match, /<name>); false: none, the CLI still lists them")),
  skills_dir: z._default(z.string().check(z.minLength(1)), "skills").check(z.describe("the user's skills folder, relative to the state root (or absolute)")),
  auto_match_enabled: z._default(z.boolean(), false).check(z.describe("attach the skills that best match the user's message to the turn")),
  auto_match: z.prefault(autoMatchConfig, {}),
  prompt_max_chars: z._default(z.number().check(z.int(), z.minimum(200), z.maximum(200_000)), 8_000).check(z.describe("characters the skills index in the system prompt may take")),
  evolve_failure_rate: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.3).check(z.describe("failure rate past which `aleph skills evolve` may propose an improved SKILL.md")),
  evolve_min_uses: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100_000)), 5).check(z.describe("finished uses a skill needs before its failure rate counts")),
});

export type SkillsConfig = z.output<typeof skillsConfigSchema>;
