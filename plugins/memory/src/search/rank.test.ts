import { describe, expect, it } from "vitest";
import { hashEmbed } from "../embedders/hash-embedder.js";
import { rankCandidates, type RankCandidate } from "./rank.js";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;
const fact = (id: string, extra: Partial<RankCandidate> = {}): RankCandidate => ({ id, importance: 0.5, createdAt: NOW, pinned: false, evergreen: false, ...extra });
const ids = (r: { id: string }[]) => r.map((x) => x.id);

describe("hybrid ranking", () => {
  it("puts a fact both searches found above facts only one found", () => {
    const candidates = [fact("vec-only", { vectorScore: 0.8 }), fact("both", { vectorScore: 0.6, keywordScore: 7 }), fact("kw-only", { keywordScore: 9 })];
    expect(ids(rankCandidates(candidates, { k: 3, now: NOW }))[0]).toBe("both");
    expect(ids(rankCandidates(candidates, { k: 3, now: NOW, fusion: "rrf" }))[0]).toBe("both");
    // With one side weighted out, that side's ranking alone decides.
    expect(ids(rankCandidates(candidates, { k: 3, now: NOW, keywordWeight: 0 }))).toEqual(["vec-only", "both", "kw-only"]);
  });

  it("fades old facts down to a floor, never for pinned or evergreen ones", () => {
    const same = { vectorScore: 0.7, keywordScore: 5 };
    const ranked = rankCandidates(
      [fact("old", { ...same, createdAt: NOW - 365 * DAY }), fact("new", same), fact("old-pinned", { ...same, createdAt: NOW - 365 * DAY, pinned: true })],
      { k: 3, now: NOW, halfLifeDays: 30, decayFloor: 0.5 },
    );
    const by = Object.fromEntries(ranked.map((r) => [r.id, r]));
    expect(by.old!.parts.recency).toBeGreaterThanOrEqual(0.5);
    expect(by.old!.parts.recency).toBeLessThan(0.51);
    expect(by["old-pinned"]!.parts.recency).toBe(1);
    expect(ids(ranked).at(-1)).toBe("old");
    expect(rankCandidates([fact("old", { ...same, createdAt: NOW - 365 * DAY })], { k: 1, now: NOW, halfLifeDays: 0 })[0]!.parts.recency).toBe(1);
  });

  it("lets importance move the score only as far as its weight", () => {
    const r = rankCandidates([fact("minor", { vectorScore: 0.8, importance: 0 }), fact("major", { vectorScore: 0.78, importance: 1 })], { k: 2, now: NOW, importanceWeight: 0.15 });
    expect(ids(r)).toEqual(["major", "minor"]);
    const none = rankCandidates([fact("minor", { vectorScore: 0.8, importance: 0 }), fact("major", { vectorScore: 0.78, importance: 1 })], { k: 2, now: NOW, importanceWeight: 0 });
    expect(ids(none)).toEqual(["minor", "major"]);
  });

  it("with MMR, prefers a different fact over a near-repeat of one already picked", () => {
    const v = (t: string) => hashEmbed(t);
    const candidates = [
      fact("berlin-1", { vectorScore: 0.9, vector: v("the user lives in Berlin") }),
      fact("berlin-2", { vectorScore: 0.88, vector: v("the user lives in Berlin, Germany") }),
      fact("job", { vectorScore: 0.7, vector: v("the user works at a bakery") }),
    ];
    expect(ids(rankCandidates(candidates, { k: 2, now: NOW }))).toEqual(["berlin-1", "berlin-2"]);
    expect(ids(rankCandidates(candidates, { k: 2, now: NOW, mmrLambda: 0.6 }))).toEqual(["berlin-1", "job"]);
    expect(ids(rankCandidates(candidates, { k: 3, now: NOW, mmrLambda: 0.6 }))).toHaveLength(3);
  });

  it("returns k at most, nothing for nothing, and refuses options out of range", () => {
    expect(rankCandidates([], { k: 5 })).toEqual([]);
    expect(rankCandidates([fact("a", { vectorScore: 1 }), fact("b", { vectorScore: 0.5 })], { k: 1, now: NOW })).toHaveLength(1);
    expect(() => rankCandidates([], { k: 0 })).toThrow(/k is 0/);
    expect(() => rankCandidates([], { k: 2.5 })).toThrow(/k is 2.5/);
    expect(() => rankCandidates([], { k: 1, vectorWeight: -1 })).toThrow(/vector_weight is -1/);
    expect(() => rankCandidates([], { k: 1, decayFloor: 2 })).toThrow(/decay_floor is 2/);
    expect(() => rankCandidates([], { k: 1, mmrLambda: Number.NaN })).toThrow(/mmr_lambda/);
  });
});
