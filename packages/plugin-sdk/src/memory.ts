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
