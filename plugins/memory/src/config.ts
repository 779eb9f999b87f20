import { z } from "@aleph/plugin-sdk";

/* The [memory] section of config.toml, owned by this plugin (docs/config.md lists every key). */

const searchConfig = z.strictObject({
  fusion: z.enum(["weighted", "rrf"]).default("weighted").describe("how vector and full-text scores combine"),
  vector_weight: z.number().min(0).max(1).default(0.5),
  keyword_weight: z.number().min(0).max(1).default(0.5),
  half_life_days: z.number().min(0).max(36_500).default(14).describe("days for a fact's recency to fall halfway to the floor (0: no decay)"),
  decay_floor: z.number().min(0).max(1).default(0.8).describe("the least a fact's recency factor becomes"),
  importance_weight: z.number().min(0).max(1).default(0.15),
  mmr_lambda: z.number().min(0).max(1).default(0.7).describe("1: pure relevance; lower: more diverse results"),
});

const graphConfig = z.strictObject({
  exclusive_relations: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "is a relation name in lower_snake_case"))
    .default(["lives_in", "works_at", "located_in", "named", "reports_to", "status"])
    .describe("relations that hold one value at a time: a new value closes the old edge (kept, with when it stopped being true)"),
});

const curatedConfig = z.strictObject({
  memory_chars: z.number().int().min(200).max(200_000).default(8_000).describe("the most characters MEMORY.md may hold"),
  user_chars: z.number().int().min(200).max(200_000).default(4_000).describe("the most characters USER.md may hold"),
  entry_chars: z.number().int().min(50).max(20_000).default(1_000).describe("the longest entry of either"),
});

const recallConfig = z.strictObject({
  enabled: z.boolean().default(true).describe("attach facts recalled for the user's message to each turn"),
  k: z.number().int().min(1).max(50).default(6).describe("facts recalled per turn at most"),
  max_chars: z.number().int().min(200).max(100_000).default(2_000).describe("characters the recalled block may take"),
  min_score: z.number().min(0).max(10).default(0.05).describe("facts scoring below this are left out"),
});

export const memoryConfigSchema = z.strictObject({
  embedder: z
    .string()
    .regex(/^(hash|provider:[a-z0-9][a-z0-9_-]{0,63})$/, 'is "hash" or "provider:<name of a provider in providers.toml>"')
    .default("hash")
    .describe('"hash" (offline, lexical) or "provider:<name>" (semantic, through the providers service)'),
  embedding_model: z.string().min(1).optional().describe("the provider's embedding model (default: its embedding_model)"),
  hash_dimension: z.number().int().min(16).max(8192).default(384),
  near_duplicate: z.number().min(0.5).max(1).default(0.92).describe("cosine at or above which a new fact is merged into the one it repeats"),
  max_facts: z.number().int().min(10).max(10_000_000).default(10_000).describe("per agent; past it the lowest-value facts are forgotten, each announced"),
  auto_extract: z
    .union([z.boolean(), z.enum(["rules", "llm"])])
    .default(true)
    .describe('facts taken from user messages: true or "rules" (offline patterns), "llm" (adds a model call per message), false'),
  purge_after_days: z.number().int().min(0).max(36_500).default(30).describe("forgotten facts are deleted for good after this many days"),
  index_notes: z.boolean().default(true).describe("index the agents' daily notes (memory/YYYY-MM-DD.md in their workspaces) as facts, again when they change"),
  search: searchConfig.prefault({}),
  recall: recallConfig.prefault({}),
  graph: graphConfig.prefault({}),
  curated: curatedConfig.prefault({}),
});

export type MemoryConfig = z.output<typeof memoryConfigSchema>;
