import { describe, expect, it } from "vitest";
import { cosine, HASH_EMBEDDER_DEFAULT_DIMENSION, hashEmbed, words } from "./hash-embedder.js";

const sim = (a: string, b: string) => cosine(hashEmbed(a), hashEmbed(b));

describe("hash embedder", () => {
  it("is deterministic, normalised and of the asked dimension", () => {
    const a = hashEmbed("I live in Berlin and work on Aleph");
    expect(a).toEqual(hashEmbed("I live in Berlin and work on Aleph"));
    expect(a.length).toBe(HASH_EMBEDDER_DEFAULT_DIMENSION);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    expect(hashEmbed("x y z", 64).length).toBe(64);
  });

  it("ranks texts sharing words and spelling above unrelated ones (lexical, not semantic)", () => {
    const query = "where does the user live";
    expect(sim(query, "The user lives in Berlin")).toBeGreaterThan(sim(query, "My cat likes fish for breakfast"));
    expect(sim("deployment pipeline", "we deploy through the pipeline")).toBeGreaterThan(sim("deployment pipeline", "lunch at noon"));
    // Character trigrams join forms of one word.
    expect(sim("running", "runner")).toBeGreaterThan(0.2);
    expect(sim("running", "banana")).toBeLessThan(0.1);
    // Stop words alone barely count.
    expect(sim("the project uses postgres", "the cat sat on the mat")).toBeLessThan(0.15);
  });

  it("reads any script and compatibility forms", () => {
    expect(words("Ｆｕｌｌ-width ﬁle, Größe 42 東京")).toEqual(["full", "width", "file", "größe", "42", "東京"]);
    expect(sim("Größe", "größe")).toBeCloseTo(1, 5);
  });

  it("gives the zero vector for text with nothing to read, and cosine 0 with it", () => {
    const zero = hashEmbed("  ... !!! ");
    expect([...zero].every((x) => x === 0)).toBe(true);
    expect(cosine(zero, hashEmbed("anything"))).toBe(0);
  });

  it("refuses a bad dimension and vectors of different spaces, saying how to fix it", () => {
    for (const bad of [0, 8, 10_000, 12.5, Number.NaN]) expect(() => hashEmbed("x", bad)).toThrow(/dimension .* out of range/);
    expect(() => cosine(hashEmbed("a", 64), hashEmbed("a", 128))).toThrow(/64 and 128 dimensions.*|reindex/);
  });
});
