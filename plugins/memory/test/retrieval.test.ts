import { makeVector } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { evaluate, type Scores } from "../eval/evaluate.js";
import { rankCandidates, type RankCandidate } from "../src/search/rank.js";

/*
 * The retrieval acceptance of issue 13 (eval/README.md): the held-out questions of the labelled
 * conversation, asked of a real FactStore with the [memory].search defaults. The tune split chose
 * those defaults (eval/tune.ts); the held-out split judges them here.
 */

describe("retrieval on the held-out questions", () => {
  it("ranks with hybrid search at least as well as with either search alone, and better than plain BM25", async () => {
    const { results, merged } = await evaluate({ split: "heldout" });
    const by = new Map(results.map((r) => [r.name, r.overall]));
    const get = (name: string): Scores => by.get(name) ?? expect.fail(`no method ${name}`);
    const hybrid = get("hybrid");
    expect(merged).toBe(0); // every turn is its own fact
    expect(hybrid.n).toBeGreaterThanOrEqual(50);
    for (const alone of ["keyword", "vector"]) {
      expect(hybrid.r5, `Recall@5, hybrid vs ${alone}`).toBeGreaterThanOrEqual(get(alone).r5);
      expect(hybrid.mrr, `MRR, hybrid vs ${alone}`).toBeGreaterThanOrEqual(get(alone).mrr);
    }
    const bm25 = get("BM25 (plain JS)");
    expect(hybrid.r5, "Recall@5, hybrid vs plain BM25").toBeGreaterThan(bm25.r5);
    expect(hybrid.mrr, "MRR, hybrid vs plain BM25").toBeGreaterThan(bm25.mrr);
  }, 60_000);
});

describe("MMR on the candidates of a search", () => {
  it("compares the Arrow vectors LanceDB returns, not only plain arrays", () => {
    // LanceDB hands vectors back as Arrow vectors, which do not index with [i]: compared as such,
    // every likeness was NaN and MMR silently kept the relevance order.
    const arrow = (...xs: number[]) => makeVector(Float32Array.from(xs)) as unknown as ArrayLike<number>;
    const now = Date.parse("2025-03-27T20:00:00Z");
    const fact = (id: string, keywordScore: number, vector: ArrayLike<number>): RankCandidate => ({ id, keywordScore, vector, importance: 0.5, createdAt: now, pinned: false, evergreen: false });
    const candidates = [fact("a", 10, arrow(1, 0, 0)), fact("a-again", 9.5, arrow(1, 0.01, 0)), fact("b", 8, arrow(0, 1, 0))];
    expect(rankCandidates(candidates, { k: 3, now, mmrLambda: 0.5 }).map((r) => r.id)).toEqual(["a", "b", "a-again"]);
    expect(rankCandidates(candidates, { k: 3, now, mmrLambda: 1 }).map((r) => r.id)).toEqual(["a", "a-again", "b"]);
  });
});
