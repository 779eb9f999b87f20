/*
 * Memory's working code, built as an entry of its own (dist/runtime.js) and imported on the first
 * call of the memory or embeddings service: a kernel that never remembers anything never loads it
 * (nor LanceDB, ~50 ms).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AlephError, type MemoryService, type ProvidersService } from "@aleph/plugin-sdk";
import type { MemoryConfig } from "./config.js";
import { ProviderEmbedder } from "./embedders/provider-embedder.js";
import { FactStore } from "./facts/fact-store.js";
import { KnowledgeGraph } from "./graph/graph-store.js";
import { createCuratedService } from "./service/curated-service.js";
import { hashEmbeddings, providerEmbeddings, type Embeddings } from "./service/embeddings.js";
import { createGraphService } from "./service/graph-service.js";
import { createMemoryService, type FactsService, type MemoryEvents } from "./service/memory-service.js";
import { tuningOf } from "./search/search.js";

// The knowledge graph (memory/graph.db), also for bench/memory-graph.mjs.
export { KnowledgeGraph } from "./graph/graph-store.js";
// What the plugin's light entry (index.ts) loads on first use: extraction, notes, the compaction
// flush, the doctor check.
export { extractFacts } from "./extract/rules.js";
export { AutoExtractor } from "./extract/auto-extract.js";
export { NotesIndexer } from "./notes/notes-indexer.js";
export { chunkNote, appendDailyNote, dailyNoteName } from "./notes/daily-notes.js";
export { flushBeforeCompaction } from "./agent/compaction-flush.js";
export { memoryDoctor } from "./doctor.js";
// The facts table, hybrid search and the hash embedder, for bench/memory-search.mjs and bench/memory-import.mjs.
export { FactStore } from "./facts/fact-store.js";
export { searchFacts } from "./search/search.js";
export { hashEmbed, HASH_EMBEDDER_MODEL } from "./embedders/hash-embedder.js";

export interface MemoryRuntimeOptions {
  /** <root>/memory */
  dir: string;
  config: MemoryConfig;
  providers: () => ProvidersService | undefined;
  events: MemoryEvents;
  /** An agent's Markdown workspace (where MEMORY.md, USER.md and memory/ notes are). */
  workspaceDir: (agentId: string) => Promise<string>;
}

/** The whole memory service, and what the plugin needs besides: the embedder, and closing. */
export interface MemoryRuntime {
  memory: MemoryService & Pick<FactsService, "factsAbout" | "purgeForgotten">;
  embeddings: Embeddings;
  close(): Promise<void>;
}

export function embeddingsFor(config: MemoryConfig, providers: () => ProvidersService | undefined): Embeddings {
  if (config.embedder === "hash") return hashEmbeddings(config.hash_dimension);
  const provider = config.embedder.slice("provider:".length);
  const embedder = new ProviderEmbedder(
    (texts, options) => {
      const service = providers();
      if (!service) {
        throw new AlephError("ALEPH_E_DEPENDENCY", `[memory] embedder = "${config.embedder}" needs the providers plugin, which is not running`, {
          fix: '`aleph plugins list` says why; or set [memory] embedder = "hash"',
        });
      }
      return service.embed(texts, options);
    },
    { provider, model: config.embedding_model },
  );
  return providerEmbeddings(embedder);
}

export function createMemory(options: MemoryRuntimeOptions): MemoryRuntime {
  const embeddings = embeddingsFor(options.config, options.providers);
  const { search, curated, graph: graphConfig } = options.config;
  const facts = createMemoryService({
    openStore: (space) => FactStore.open(join(options.dir, "facts.lance"), { space, nearDuplicate: options.config.near_duplicate }),
    embeddings,
    maxFacts: options.config.max_facts,
    tuning: tuningOf(search),
    events: options.events,
  });
  let graph: KnowledgeGraph | undefined;
  const graphService = createGraphService({
    graph: () => {
      if (!graph) {
        mkdirSync(options.dir, { recursive: true, mode: 0o700 });
        graph = KnowledgeGraph.open(join(options.dir, "graph.db"));
      }
      return graph;
    },
    exclusiveRelations: graphConfig.exclusive_relations,
    factsAbout: (agentId, labels, ids) => facts.factsAbout(agentId, labels, ids),
  });
  const curatedService = createCuratedService({
    workspaceDir: options.workspaceDir,
    limits: {
      "MEMORY.md": { entryMaxChars: curated.entry_chars, fileMaxChars: curated.memory_chars },
      "USER.md": { entryMaxChars: curated.entry_chars, fileMaxChars: curated.user_chars },
    },
  });
  return {
    memory: { ...facts, ...graphService, ...curatedService },
    embeddings,
    close: async () => {
      graph?.close();
      graph = undefined;
      await facts.close();
    },
  };
}
