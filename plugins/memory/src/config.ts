import * as z from "@aleph/zod/mini";

/* The [memory] section of config.toml, owned by this plugin (docs/config.md lists every key). */

const searchConfig = z.strictObject({
  fusion: z._default(z.enum(["weighted", "rrf"]), "weighted").check(z.describe("how vector and full-text scores combine")),
  vector_weight: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.5),
  keyword_weight: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.5),
  half_life_days: z._default(z.number().check(z.minimum(0), z.maximum(36_500)), 14).check(z.describe("days for a fact's recency to fall halfway to the floor (0: no decay)")),
  decay_floor: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.8).check(z.describe("the least a fact's recency factor becomes")),
  importance_weight: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.15),
  mmr_lambda: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.7).check(z.describe("1: pure relevance; lower: more diverse results")),
});

const graphConfig = z.strictObject({
  exclusive_relations: z
    ._default(z.array(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, "is a relation name in lower_snake_case"))), ["lives_in", "works_at", "located_in", "named", "reports_to", "status"])
    .check(z.describe("relations that hold one value at a time: a new value closes the old edge (kept, with when it stopped being true)")),
});

const curatedConfig = z.strictObject({
  memory_chars: z._default(z.number().check(z.int(), z.minimum(200), z.maximum(200_000)), 8_000).check(z.describe("the most characters MEMORY.md may hold")),
  user_chars: z._default(z.number().check(z.int(), z.minimum(200), z.maximum(200_000)), 4_000).check(z.describe("the most characters USER.md may hold")),
  entry_chars: z._default(z.number().check(z.int(), z.minimum(50), z.maximum(20_000)), 1_000).check(z.describe("the longest entry of either")),
});

const recallConfig = z.strictObject({
  enabled: z._default(z.boolean(), true).check(z.describe("attach facts recalled for the user's message to each turn")),
  k: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(50)), 6).check(z.describe("facts recalled per turn at most")),
  max_chars: z._default(z.number().check(z.int(), z.minimum(200), z.maximum(100_000)), 2_000).check(z.describe("characters the recalled block may take")),
  min_score: z._default(z.number().check(z.minimum(0), z.maximum(10)), 0.05).check(z.describe("facts scoring below this are left out")),
});

export const memoryConfigSchema = z.strictObject({
  embedder: z
    ._default(z.string().check(z.regex(/^(hash|provider:[a-z0-9][a-z0-9_-]{0,63})$/, 'is "hash" or "provider:<name of a provider in providers.toml>"')), "hash")
    .check(z.describe('"hash" (offline, lexical) or "provider:<name>" (semantic, through the providers service)')),
  embedding_model: z.optional(z.string().check(z.minLength(1))).check(z.describe("the provider's embedding model (default: its embedding_model)")),
  hash_dimension: z._default(z.number().check(z.int(), z.minimum(16), z.maximum(8192)), 384),
  near_duplicate: z._default(z.number().check(z.minimum(0.5), z.maximum(1)), 0.92).check(z.describe("cosine at or above which a new fact is merged into the one it repeats")),
  max_facts: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(10_000_000)), 10_000).check(z.describe("per agent; past it the lowest-value facts are forgotten, each announced")),
  auto_extract: z
    ._default(z.union([z.boolean(), z.enum(["rules", "llm"])]), true)
    .check(z.describe('facts taken from user messages: true or "rules" (offline patterns), "llm" (adds a model call per message), false')),
  purge_after_days: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(36_500)), 30).check(z.describe("forgotten facts are deleted for good after this many days")),
  index_notes: z._default(z.boolean(), true).check(z.describe("index the agents' daily notes (memory/YYYY-MM-DD.md in their workspaces) as facts, again when they change")),
  search: z.prefault(searchConfig, {}),
  recall: z.prefault(recallConfig, {}),
  graph: z.prefault(graphConfig, {}),
  curated: z.prefault(curatedConfig, {}),
});

export type MemoryConfig = z.output<typeof memoryConfigSchema>;
