/*
 * Memory's working code, built as an entry of its own (dist/runtime.js) and imported on the first
 * call of the memory or embeddings service: a kernel that never remembers anything never loads it
 * (nor LanceDB, ~50 ms).
 */
import { join } from "node:path";
import type { ProvidersService } from "@aleph/plugin-sdk";
import type { MemoryConfig } from "./config.js";
import { ProviderEmbedder } from "./embedders/provider-embedder.js";
import { FactStore } from "./facts/fact-store.js";
import { hashEmbeddings, providerEmbeddings, type Embeddings } from "./service/embeddings.js";
import { createMemoryService, type MemoryEvents } from "./service/memory-service.js";

// The knowledge graph (memory/graph.db), for the service to come and for bench/memory-graph.mjs.
export { KnowledgeGraph } from "./graph/graph-store.js";

export interface MemoryRuntimeOptions {
  /** <root>/memory */
  dir: string;
  config: MemoryConfig;
  providers: () => ProvidersService | undefined;
  events: MemoryEvents;
}

export function embeddingsFor(config: MemoryConfig, providers: () => ProvidersService | undefined): Embeddings {
  if (config.embedder === "hash") return hashEmbeddings(config.hash_dimension);
  const provider = config.embedder.slice("provider:".length);
  const embedder = new ProviderEmbedder(
    (texts, options) => {
      const service = providers();
      if (!service) throw new Error(`[memory] embedder = "${config.embedder}" needs the providers plugin, which is not running`);
      return service.embed(texts, options);
    },
    { provider, model: config.embedding_model },
  );
  return providerEmbeddings(embedder);
}

export function createMemory(options: MemoryRuntimeOptions) {
  const embeddings = embeddingsFor(options.config, options.providers);
  const { search } = options.config;
  const memory = createMemoryService({
    openStore: (space) => FactStore.open(join(options.dir, "facts.lance"), { space, nearDuplicate: options.config.near_duplicate }),
    embeddings,
    maxFacts: options.config.max_facts,
    tuning: {
      fusion: search.fusion,
      vectorWeight: search.vector_weight,
      keywordWeight: search.keyword_weight,
      halfLifeDays: search.half_life_days,
      decayFloor: search.decay_floor,
      importanceWeight: search.importance_weight,
      mmrLambda: search.mmr_lambda,
    },
    events: options.events,
  });
  return { memory, embeddings };
}
