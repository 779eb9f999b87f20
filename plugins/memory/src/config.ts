import { z } from "@aleph/plugin-sdk";

/*
 * The [memory] section of config.toml, owned by this plugin. Until the plugin is bundled, the
 * kernel still types the section provisionally (auto_extract as a boolean, max_facts; see
 * packages/kernel/src/config-schema.ts) and passes it on with those defaults; bundling it hands
 * the section over (the kernel's provisional schema goes, this one ships as data).
 */

const searchConfig = z.strictObject({
  fusion: z.enum(["weighted", "rrf"]).default("weighted").describe("how vector and full-text scores combine"),
  vector_weight: z.number().min(0).max(1).default(0.5),
  keyword_weight: z.number().min(0).max(1).default(0.5),
  half_life_days: z.number().min(0).max(36_500).default(30).describe("days for a fact's recency to fall halfway to the floor (0: no decay)"),
  decay_floor: z.number().min(0).max(1).default(0.5).describe("the least a fact's recency factor becomes"),
  importance_weight: z.number().min(0).max(1).default(0.15),
  mmr_lambda: z.number().min(0).max(1).default(0.7).describe("1: pure relevance; lower: more diverse results"),
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
  search: searchConfig.default(searchConfig.parse({})),
});

export type MemoryConfig = z.output<typeof memoryConfigSchema>;
