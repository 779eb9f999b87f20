import type { MemorySearchHit } from "@aleph/plugin-sdk";
import type { MemoryConfig } from "../config.js";
import type { FactFilter, FactStore } from "../facts/fact-store.js";
import { rankCandidates, type RankCandidate, type RankOptions } from "./rank.js";

/*
 * A hybrid search: the vector search and the full-text search each propose 4×k candidates, both
 * filtered before they search; the union is ranked (rank.ts). When they found fewer than k
 * between them (a query of rare words while vector search is paused, say), facts matching the
 * filter fill the result: a search never returns fewer than k when k facts match.
 */

export interface SearchQuery extends FactFilter {
  agentId: string;
  text: string;
  k: number;
  /** "hybrid" (default), or one side alone (for the retrieval report and for debugging). */
  mode?: "hybrid" | "vector" | "keyword";
}

export type SearchHit = MemorySearchHit;

export type SearchTuning = Omit<RankOptions, "k">;

export async function searchFacts(store: FactStore, embed: (text: string) => Promise<ArrayLike<number>>, query: SearchQuery, tuning: SearchTuning = {}): Promise<SearchHit[]> {
  const mode = query.mode ?? "hybrid";
  const filter = { agentId: query.agentId, scope: query.scope, category: query.category, tags: query.tags, limit: 4 * query.k };
  const [byVector, byKeyword] = await Promise.all([
    // While vector search is paused (another embedder made the vectors), the query is not embedded:
    // no provider call for nothing, and a provider that is down does not fail a keyword search.
    mode === "keyword" || !store.vectorsUsable ? [] : store.vectorCandidates(await embed(query.text), filter),
    mode === "vector" ? [] : store.keywordCandidates(query.text, filter),
  ]);
  const merged = new Map<string, RankCandidate>();
  for (const c of [...byVector, ...byKeyword]) merged.set(c.id, { ...merged.get(c.id), ...c, vectorScore: merged.get(c.id)?.vectorScore ?? c.vectorScore, keywordScore: merged.get(c.id)?.keywordScore ?? c.keywordScore });
  if (merged.size < query.k) {
    for (const c of await store.listCandidates({ ...filter, limit: query.k + merged.size })) if (!merged.has(c.id)) merged.set(c.id, c);
  }
  const ranked = rankCandidates([...merged.values()], { ...tuning, k: query.k });
  const facts = new Map((await store.getMany(ranked.map((r) => r.id))).map((f) => [f.id, f]));
  return ranked.flatMap((r) => (facts.has(r.id) ? [{ fact: facts.get(r.id)!, score: r.score, parts: r.parts }] : []));
}

/** `[memory] search` (config.ts) as searchFacts takes it. */
export function tuningOf(search: MemoryConfig["search"]): SearchTuning {
  return {
    fusion: search.fusion,
    vectorWeight: search.vector_weight,
    keywordWeight: search.keyword_weight,
    halfLifeDays: search.half_life_days,
    decayFloor: search.decay_floor,
    importanceWeight: search.importance_weight,
    mmrLambda: search.mmr_lambda,
  };
}
