import { AlephError } from "@aleph/plugin-sdk";
import { cosine } from "../embedders/hash-embedder.js";

/*
 * Ranking the candidates of a hybrid search: the facts the vector search and the full-text search
 * found (each asked for 4× k, after the filters), fused into one score, then adjusted for age
 * (a floored decay: an old fact fades but never vanishes; pinned and evergreen facts do not fade)
 * and importance, then picked with maximal marginal relevance so k results do not say one thing
 * k times. Scores are real weighted scores by default; reciprocal rank fusion is the option.
 */

export interface RankCandidate {
  id: string;
  /** Cosine similarity to the query (vector search), when the vector search found it. */
  vectorScore?: number | undefined;
  /** The full-text score (BM25: unbounded, larger is better), when the keyword search found it. */
  keywordScore?: number | undefined;
  /** 0–1. */
  importance: number;
  /** Milliseconds since 1970. */
  createdAt: number;
  pinned: boolean;
  evergreen: boolean;
  /** For diversity (MMR); a candidate without one is never penalised as a repeat. */
  vector?: ArrayLike<number> | undefined;
}

export interface RankOptions {
  k: number;
  /** "weighted" (default): wv·cosine + wk·(BM25 / the best BM25 of the set). "rrf": Σ 1/(rrfK + rank). */
  fusion?: "weighted" | "rrf";
  vectorWeight?: number;
  keywordWeight?: number;
  rrfK?: number;
  /** Days for a fact's recency factor to fall halfway to the floor; 0 turns decay off. */
  halfLifeDays?: number;
  /** The least the recency factor becomes, 0–1. */
  decayFloor?: number;
  /** How much importance moves the score, 0–1 (0: not at all). */
  importanceWeight?: number;
  /** MMR's balance, 0–1: 1 is pure relevance (no diversity); undefined turns MMR off. */
  mmrLambda?: number | undefined;
  now?: number;
}

export interface RankedFact {
  id: string;
  score: number;
  /** What the score is made of, for `search --json` and for tuning. */
  parts: { fused: number; recency: number; importance: number };
}

const DAY_MS = 86_400_000;

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new AlephError("ALEPH_E_CONFIG", `memory search: ${name} is ${String(value)}; it must be from ${min} to ${max}`, { fix: `set [memory] ${name} within range, or leave it out for the default` });
  }
  return value;
}

function fuse(candidates: RankCandidate[], o: Required<Pick<RankOptions, "fusion" | "vectorWeight" | "keywordWeight" | "rrfK">>): number[] {
  if (o.fusion === "rrf") {
    const rankIn = (score: (c: RankCandidate) => number | undefined) => {
      const order = candidates.map((c, i) => ({ i, s: score(c) })).filter((x) => x.s !== undefined).sort((a, b) => b.s! - a.s!);
      const ranks = new Map<number, number>();
      order.forEach((x, r) => ranks.set(x.i, r + 1));
      return ranks;
    };
    const vr = rankIn((c) => c.vectorScore);
    const kr = rankIn((c) => c.keywordScore);
    return candidates.map((_, i) => (vr.has(i) ? o.vectorWeight / (o.rrfK + vr.get(i)!) : 0) + (kr.has(i) ? o.keywordWeight / (o.rrfK + kr.get(i)!) : 0));
  }
  const bestKeyword = Math.max(0, ...candidates.map((c) => c.keywordScore ?? 0));
  return candidates.map((c) => {
    const v = Math.max(0, Math.min(1, c.vectorScore ?? 0));
    const k = bestKeyword > 0 ? Math.max(0, c.keywordScore ?? 0) / bestKeyword : 0;
    return o.vectorWeight * v + o.keywordWeight * k;
  });
}

/** The k best candidates, best first. */
export function rankCandidates(candidates: RankCandidate[], options: RankOptions): RankedFact[] {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new AlephError("ALEPH_E_USAGE", `memory search: k is ${String(k)}; ask for 1 to 10000 results`);
  const fusion = options.fusion ?? "weighted";
  const vectorWeight = check("vector_weight", options.vectorWeight ?? 0.5, 0, 1);
  const keywordWeight = check("keyword_weight", options.keywordWeight ?? 0.5, 0, 1);
  const rrfK = check("rrf_k", options.rrfK ?? 60, 1, 10_000);
  const halfLifeDays = check("half_life_days", options.halfLifeDays ?? 14, 0, 36_500);
  const floor = check("decay_floor", options.decayFloor ?? 0.8, 0, 1);
  const importanceWeight = check("importance_weight", options.importanceWeight ?? 0.15, 0, 1);
  const lambda = options.mmrLambda === undefined ? undefined : check("mmr_lambda", options.mmrLambda, 0, 1);
  const now = options.now ?? Date.now();

  const fused = fuse(candidates, { fusion, vectorWeight, keywordWeight, rrfK });
  const scored = candidates.map((c, i) => {
    const ageDays = Math.max(0, now - c.createdAt) / DAY_MS;
    const recency = c.pinned || c.evergreen || halfLifeDays === 0 ? 1 : floor + (1 - floor) * 0.5 ** (ageDays / halfLifeDays);
    const importance = 1 - importanceWeight + importanceWeight * Math.max(0, Math.min(1, c.importance));
    return { c, ranked: { id: c.id, score: fused[i]! * recency * importance, parts: { fused: fused[i]!, recency, importance } } };
  });
  scored.sort((a, b) => b.ranked.score - a.ranked.score || (a.c.id < b.c.id ? -1 : 1));
  if (lambda === undefined || lambda === 1) return scored.slice(0, k).map((s) => s.ranked);

  // Maximal marginal relevance: each next pick is the most relevant, less its likeness to what is picked.
  // Vectors read from LanceDB are Arrow vectors, which do not index with [i]: compared as they were,
  // every likeness is NaN and MMR silently keeps the relevance order. Each is copied once.
  const vectorOf = new Map(scored.map((s) => [s, s.c.vector === undefined ? undefined : Float32Array.from(s.c.vector)]));
  const best = scored[0]?.ranked.score ?? 0;
  const picked: typeof scored = [];
  const left = [...scored];
  while (picked.length < k && left.length > 0) {
    let at = 0;
    let atValue = -Infinity;
    left.forEach((s, i) => {
      const relevance = best > 0 ? s.ranked.score / best : 0;
      const v = vectorOf.get(s);
      const likeness = v ? Math.max(0, ...picked.map((p) => vectorOf.get(p)).map((pv) => (pv && pv.length === v.length ? cosine(pv, v) : 0))) : 0;
      const value = lambda * relevance - (1 - lambda) * likeness;
      if (value > atValue) {
        atValue = value;
        at = i;
      }
    });
    picked.push(left.splice(at, 1)[0]!);
  }
  return picked.map((s) => s.ranked);
}
