import { createServiceRef } from "./service-ref.js";

// The `memory` and `embeddings` services (the bundled memory plugin): facts an agent keeps, found
// by hybrid search, and the embedder they are found with.

/** A fact to remember. */
export interface FactInput {
  agentId: string;
  text: string;
  /** Free text; default "agent". Duplicates are judged within one agent and scope. */
  scope?: string;
  category?: string;
  tags?: string[];
  /** 0–1. */
  importance?: number;
  /** 0–1. */
  confidence?: number;
  /** Never fades, never evicted. */
  pinned?: boolean;
  /** Never fades. */
  evergreen?: boolean;
  /** Where it came from: "cli", "auto:rules", "session:<key>#<seq>", a file… */
  source?: string;
  /** Milliseconds since 1970 (default: now). */
  createdAt?: number;
  expiresAt?: number;
}

/** A stored fact. Times are milliseconds since 1970. */
export interface Fact {
  id: string;
  agentId: string;
  scope: string;
  text: string;
  contentHash: string;
  category: string;
  tags: string[];
  importance: number;
  confidence: number;
  pinned: boolean;
  evergreen: boolean;
  /** Every source and session/message link merged into this fact. */
  sources: string[];
  createdAt: number;
  updatedAt: number;
  lastAccessedAt: number;
  accessCount: number;
  expiresAt: number | null;
  invalidatedAt: number | null;
  supersededBy: string | null;
  embeddingModel: string;
}

/** What a search or a listing is limited to, besides the agent; applied before searching. */
export interface FactFilter {
  scope?: string | undefined;
  category?: string | undefined;
  /** Every one of these tags. */
  tags?: string[] | undefined;
}

export interface MemorySearchHit {
  fact: Fact;
  score: number;
  /** What the score is made of. */
  parts: { fused: number; recency: number; importance: number };
}

export interface MemoryStats {
  live: number;
  forgotten: number;
  pinned: number;
  byCategory: Record<string, number>;
  /** The embedding space of the stored vectors. */
  space: { model: string; dimension: number };
  /** False while the embedder differs from the stored vectors' (until `aleph memory reindex`): keyword search still works. */
  vectorsUsable: boolean;
}

/** An entity of the knowledge graph (memory/graph.db). Times are milliseconds since 1970. */
export interface GraphNodeView {
  id: number;
  agentId: string;
  /** The normalised key two spellings of one entity share (lower case, single spaces). */
  entity: string;
  label: string;
  type: string;
  props: Record<string, unknown>;
  createdAt: number;
}

/**
 * A relation, bi-temporal: `validAt`/`invalidAt` say when it was true in the world,
 * `createdAt`/`expiredAt` when Aleph learned and retired the record.
 */
export interface GraphEdgeView {
  id: number;
  agentId: string;
  src: number;
  rel: string;
  dst: number;
  factId: string | null;
  validAt: number;
  invalidAt: number | null;
  createdAt: number;
  expiredAt: number | null;
}

export interface GraphEdgeInput {
  /** Entity labels; their nodes are made when missing. */
  src: string;
  /** lower_snake_case: lives_in, depends_on… */
  rel: string;
  dst: string;
  /** The fact this relation was learned from. */
  factId?: string;
  /** When it became true (ms; default now). */
  validAt?: number;
  /** One value at a time (default: whether `[memory] graph.exclusive_relations` lists `rel`): a new dst closes the old edge. */
  exclusive?: boolean;
}

/** What `about` answers: the entity's neighbourhood and the facts that mention its nodes. */
export interface MemoryAbout {
  nodes: (GraphNodeView & { depth: number })[];
  edges: GraphEdgeView[];
  facts: Fact[];
}

/** A curated file of an agent's workspace: MEMORY.md (notes the agent keeps) or USER.md (about the user). */
export type CuratedFileName = "MEMORY.md" | "USER.md";

export interface CuratedEdit {
  file: CuratedFileName;
  action: "add" | "replace" | "remove";
  /** The new entry (add, replace). */
  text?: string;
  /** A substring naming exactly one entry (replace, remove). */
  match?: string;
}

export interface CuratedView {
  file: CuratedFileName;
  path: string;
  entries: string[];
  chars: number;
  limits: { entryMaxChars: number; fileMaxChars: number };
}

/** How far `reindex` has come. */
export interface ReindexProgress {
  done: number;
  total: number;
}

/** The `memory` service. */
export interface MemoryService {
  /** An exact duplicate adds nothing ("duplicate"), a near one is merged ("merged"). */
  add(input: FactInput): Promise<{ id: string; outcome: "added" | "duplicate" | "merged" }>;
  search(query: string, options: FactFilter & { agentId: string; k?: number }): Promise<MemorySearchHit[]>;
  get(id: string): Promise<Fact | undefined>;
  list(options: FactFilter & { agentId: string; limit?: number }): Promise<Fact[]>;
  /** Forgets a fact by id, or the one live fact of the agent whose text contains `match` (else the candidates are listed). */
  forget(target: { id: string } | { agentId: string; match: string }): Promise<Fact>;
  pin(id: string, pinned?: boolean): Promise<boolean>;
  stats(agentId: string): Promise<MemoryStats>;
  /** Adds many facts on the batched path (`aleph memory import`); each input's outcome, in order. */
  addMany(inputs: FactInput[]): Promise<{ id: string; outcome: "added" | "duplicate" | "merged" }[]>;
  /** Compacts the table and brings every index up to date with the rows written (an import's last step). */
  optimize(): Promise<void>;
  /** Every fact (of one agent, or all), oldest first, in pages; forgotten ones too when asked. */
  exportFacts(options?: { agentId?: string; includeForgotten?: boolean }): AsyncIterable<Fact[]>;
  /** Re-embeds every fact with the current embedder (a new table, switched to when complete); progress as it goes. */
  reindex(): AsyncIterable<ReindexProgress>;
  /** Adds a relation to the agent's knowledge graph. */
  graphAddEdge(agentId: string, edge: GraphEdgeInput): Promise<{ edge: GraphEdgeView; duplicate: boolean; invalidated: GraphEdgeView[] }>;
  /** What is known about an entity: its subgraph within `depth` (default 2) as of a time, and the facts mentioning its nodes. */
  about(entity: string, options: { agentId: string; depth?: number; asOf?: number; rels?: string[] }): Promise<MemoryAbout>;
  /** A curated file's entries. */
  curated(agentId: string, file: CuratedFileName): Promise<CuratedView>;
  /** Adds, replaces or removes one entry of a curated file (an ambiguous match or a full file is an error). */
  curate(agentId: string, edit: CuratedEdit): Promise<CuratedView>;
}

/** The `embeddings` service: the embedder memory uses ([memory] embedder). */
export interface EmbeddingsService {
  /** Recorded with every vector: `hash-v1`, or `provider:<name>/<model>`. */
  readonly model: string;
  dimension(): Promise<number>;
  embed(texts: string[]): Promise<ArrayLike<number>[]>;
  /** A search query's embedding (cached where the embedder can). */
  embedQuery(text: string): Promise<ArrayLike<number>>;
}

export const memoryRef = createServiceRef<MemoryService>("memory");
export const embeddingsRef = createServiceRef<EmbeddingsService>("embeddings");
