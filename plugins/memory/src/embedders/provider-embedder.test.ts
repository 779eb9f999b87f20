import { describe, expect, it } from "vitest";
import { modelError, type EmbedOptions } from "@aleph/plugin-sdk";
import { ProviderEmbedder } from "./provider-embedder.js";

/** A stand-in for providers.embed: records calls, fails as scripted, answers vectors of `dim`. */
function fakeEmbed(dim: number, failures: unknown[] = []) {
  const calls: { texts: string[]; options?: EmbedOptions }[] = [];
  const call = async (texts: string[], options?: EmbedOptions) => {
    calls.push({ texts, ...(options ? { options } : {}) });
    const failure = failures.shift();
    if (failure) throw failure;
    return { provider: options?.provider ?? "p", model: options?.model ?? "m-1", vectors: texts.map((t) => Array.from({ length: dim }, (_, i) => (t.length + i) % 7)) };
  };
  return { call, calls };
}

describe("provider embedder", () => {
  it("embeds in batches, in order, naming the provider and model", async () => {
    const { call, calls } = fakeEmbed(4);
    const embedder = new ProviderEmbedder(call, { provider: "local", model: "nomic", batchSize: 2 });
    const vectors = await embedder.embedDocuments(["a", "bb", "ccc", "dddd", "eeeee"]);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3, 4, 5]);
    expect(calls.map((c) => c.texts.length)).toEqual([2, 2, 1]);
    expect(calls[0]!.options).toMatchObject({ provider: "local", model: "nomic" });
    expect(embedder.modelId).toBe("provider:local/nomic");
    expect(await embedder.dimension()).toBe(4);
  });

  it("sends a failing batch once and passes its error on: retrying is the providers service's", async () => {
    const busy = modelError({ kind: "retryable", code: "ALEPH_E_PROVIDER_HTTP", message: "503 unavailable", status: 503 });
    const { call, calls } = fakeEmbed(3, [busy]);
    const embedder = new ProviderEmbedder(call, { provider: "p", batchSize: 1 });
    await expect(embedder.embedDocuments(["x", "y"])).rejects.toThrow(/503 unavailable/);
    expect(calls).toHaveLength(1);
    expect(await embedder.embedDocuments(["x", "y"])).toHaveLength(2);
  });

  it("learns the dimension once and refuses an answer of another size or shape", async () => {
    let dim = 8;
    const call = async (texts: string[]) => ({ provider: "p", model: "m", vectors: texts.map(() => new Array<number>(dim).fill(0.5)) });
    const embedder = new ProviderEmbedder(call, { provider: "p" });
    expect(await embedder.dimension()).toBe(8);
    dim = 16;
    await expect(embedder.embedDocuments(["x"])).rejects.toThrow(/16 dimensions; this model gave 8 before/);
    const short = new ProviderEmbedder(async () => ({ provider: "p", model: "m", vectors: [] }), { provider: "p" });
    await expect(short.embedDocuments(["x", "y"])).rejects.toThrow(/returned 0 embeddings for 2 texts/);
    const junk = new ProviderEmbedder(async () => ({ provider: "p", model: "m", vectors: [[1, Number.NaN]] }), { provider: "p" });
    await expect(junk.embedDocuments(["x"])).rejects.toThrow(/not a list of numbers/);
    expect(() => new ProviderEmbedder(call, { provider: "p", batchSize: 0 })).toThrow(/batch size 0/);
  });

  it("answers a repeated query from its cache, dropping the least recently used", async () => {
    const { call, calls } = fakeEmbed(2);
    const embedder = new ProviderEmbedder(call, { provider: "p", cacheSize: 2 });
    await embedder.embedQuery("one");
    await embedder.embedQuery("two");
    await embedder.embedQuery("one"); // cached; now most recent
    await embedder.embedQuery("three"); // drops "two"
    await embedder.embedQuery("one"); // still cached
    await embedder.embedQuery("two"); // asked again
    expect(calls.map((c) => c.texts[0])).toEqual(["one", "two", "three", "two"]);
  });
});
