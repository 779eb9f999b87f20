import { describe, expect, it } from "vitest";
import { cosine, hashEmbed } from "../embedders/hash-embedder.js";
import { probeOf, UnitVectors } from "./near-duplicates.js";

/** The answer without any pruning: every cosine computed. */
function bruteForce(stored: ArrayLike<number>[], query: ArrayLike<number>, threshold: number, first: boolean) {
  let found: { index: number; cosine: number } | undefined;
  for (const [index, v] of stored.entries()) {
    const c = cosine(v, query);
    if (c >= threshold && (found === undefined || c > found.cosine)) {
      found = { index, cosine: c };
      if (first) break;
    }
  }
  return found?.index;
}

describe("near duplicates in memory", () => {
  let seed = 11;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const words = "tea coffee berlin lisbon bike guitar sister brother project orion deploy friday monday kafka redis".split(" ");
  const sentence = () => Array.from({ length: 3 + Math.floor(random() * 5) }, () => words[Math.floor(random() * words.length)]).join(" ");

  it("finds exactly what comparing every pair finds — hash vectors, dense ones, ones of fewer dimensions than it probes — as the set grows", () => {
    const dense = (d: number) => () => Float32Array.from({ length: d }, () => random() - 0.5);
    for (const make of [() => hashEmbed(sentence(), 64), dense(32), dense(3)]) {
      const set = new UnitVectors(make().length, 2); // grows from 2
      const stored: Float32Array[] = [];
      for (let i = 0; i < 400; i++) {
        const v = make();
        for (const threshold of [0.5, 0.92]) {
          for (const first of [false, true]) expect(set.nearest(probeOf(v), threshold, first)?.index).toBe(bruteForce(stored, v, threshold, first));
        }
        set.push(v);
        stored.push(v);
      }
    }
  });

  it("skips no near duplicate when it passes over vectors that are zero on the probe's heaviest dimensions", () => {
    // Sparse vectors (a few nonzero dimensions of 48): most pairs share none, and are skipped unread.
    const sparse = () => {
      const v = new Float32Array(48);
      for (let k = 0; k < 6; k++) v[Math.floor(random() * 48)] = random() < 0.5 ? 1 : 0.3 + random();
      return v;
    };
    const set = new UnitVectors(48, 1);
    const stored: Float32Array[] = [];
    for (let i = 0; i < 700; i++) {
      const v = i % 7 === 0 && stored.length > 0 ? stored[Math.floor(random() * stored.length)]!.map((x) => x * (0.9 + random() * 0.2)) : sparse();
      for (const threshold of [0.6, 0.92, 0.99]) {
        for (const first of [false, true]) expect(set.nearest(probeOf(v), threshold, first)?.index).toBe(bruteForce(stored, v, threshold, first));
      }
      set.push(v);
      stored.push(v);
    }
  });

  it("finds a vector itself, and never matches the zero vector", () => {
    const set = new UnitVectors(64);
    set.push(hashEmbed("the user lives in berlin", 64));
    set.push(new Float32Array(64));
    expect(set.nearest(probeOf(hashEmbed("the user lives in berlin", 64)), 0.92)).toMatchObject({ index: 0, cosine: expect.closeTo(1, 5) });
    expect(set.nearest(probeOf(new Float32Array(64)), 0.5)).toBeUndefined();
  });
});
