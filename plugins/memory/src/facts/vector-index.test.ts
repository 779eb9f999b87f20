import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore } from "./fact-store.js";
import { MAX_SEGMENTS, MIN_INDEXED_ROWS, planVectorIndex, RETRAIN_GROWTH, trainedRows, vectorIndexName } from "./vector-index.js";

describe("vector index policy", () => {
  it("has no index below the threshold, builds one at it, and keeps it while the table grows less than fourfold", () => {
    expect(planVectorIndex({ rows: 19_999 }, 20_000).action).toBe("keep");
    expect(planVectorIndex({ rows: 20_000 }, 20_000)).toMatchObject({ action: "build", name: vectorIndexName(20_000) });
    expect(planVectorIndex({ rows: 79_999, current: vectorIndexName(20_000), segments: 3 }, 20_000).action).toBe("keep");
    expect(planVectorIndex({ rows: 20_000 * RETRAIN_GROWTH, current: vectorIndexName(20_000) }, 20_000)).toMatchObject({ action: "build", name: vectorIndexName(80_000), replaces: vectorIndexName(20_000) });
  });

  it("trains the index again when compactions have added more segments than a search should visit", () => {
    expect(planVectorIndex({ rows: 21_000, current: vectorIndexName(20_000), segments: MAX_SEGMENTS }).action).toBe("keep");
    expect(planVectorIndex({ rows: 21_000, current: vectorIndexName(20_000), segments: MAX_SEGMENTS + 1 })).toMatchObject({ action: "build", name: vectorIndexName(21_000), replaces: vectorIndexName(20_000) });
  });

  it("never builds below the rows IVF_PQ needs, and leaves an index it did not make alone", () => {
    expect(planVectorIndex({ rows: MIN_INDEXED_ROWS - 1 }, 10).action).toBe("keep");
    expect(planVectorIndex({ rows: 1_000_000, current: "vector_idx", segments: 40 }).action).toBe("keep");
    expect(trainedRows(vectorIndexName(1234))).toBe(1234);
    expect(trainedRows("vector_idx")).toBeUndefined();
  });
});

describe("facts table with a vector index", () => {
  const DIM = 64;
  const space = { model: HASH_EMBEDDER_MODEL, dimension: DIM };
  const embed = (text: string) => hashEmbed(text, DIM);
  const words = "amber birch cedar delta ember fjord garnet harbor indigo jasper kelp lilac maple nectar onyx pepper quartz raven sage thistle umber violet willow yarrow".split(" ");
  const text = (i: number) => `${words[i % 24]} ${words[Math.floor(i / 24) % 24]} ${words[(i * 7) % 24]} note ${i}`;

  it("gets an index past the threshold, finds what a flat scan finds, and still returns every fact of a rare agent", async () => {
    const store = await FactStore.open(join(mkdtempSync(join(tmpdir(), "aleph-facts-")), "memory", "facts.lance"), { space, nearDuplicate: 0.999, vectorIndexAt: 300 });
    const items = Array.from({ length: 600 }, (_, i) => ({ input: { agentId: "main", text: text(i) }, vector: embed(text(i)) }));
    for (let i = 0; i < 8; i++) items.push({ input: { agentId: "rare", text: `rare ${text(i * 97 + 3)}` }, vector: embed(`rare ${text(i * 97 + 3)}`) });
    await store.addMany(items);
    expect(store.vectorIndex).toBeUndefined();
    await store.optimize();
    expect(store.vectorIndex).toBe(vectorIndexName(608));

    // The rare agent's 8 facts: all of them come back, and k when k < 8.
    const query = embed("ember harbor note");
    const rare = await store.vectorCandidates(query, { agentId: "rare", limit: 10 });
    expect(rare).toHaveLength(8);
    expect(await store.vectorCandidates(query, { agentId: "rare", limit: 3 })).toHaveLength(3);

    // Against the flat scan: the index's top 10 score as high as the scan's 10th (ties may swap ids).
    let hits = 0;
    for (let q = 0; q < 10; q++) {
      const v = embed(`${words[q]} ${words[(q * 5) % 24]} note`);
      const exact = await store.vectorCandidates(v, { agentId: "main", limit: 10, exact: true });
      const indexed = await store.vectorCandidates(v, { agentId: "main", limit: 10 });
      expect(indexed).toHaveLength(10);
      hits += indexed.filter((c) => c.vectorScore! >= exact[9]!.vectorScore! - 1e-6).length;
    }
    expect(hits / 100).toBeGreaterThanOrEqual(0.95);

    // A reopened store knows its index.
    expect((await FactStore.open(store.dir, { space, vectorIndexAt: 300 })).vectorIndex).toBe(vectorIndexName(608));

    // A large table's index has many partitions and probes 20: the rare agent's facts lie mostly
    // in others, so the index alone comes back short — and the store searches again flat.
    const lancedb = await import("@lancedb/lancedb");
    const table = await (await lancedb.connect(store.dir)).openTable("facts");
    await table.createIndex("vector", { config: lancedb.Index.ivfPq({ distanceType: "cosine", numPartitions: 100 }), name: vectorIndexName(608), replace: true });
    const where = "agent_id = 'rare' AND invalidated_at IS NULL";
    const alone = await table.vectorSearch(Array.from(query)).distanceType("cosine").where(where).limit(10).toArray();
    const reopened = await FactStore.open(store.dir, { space, vectorIndexAt: 300 });
    expect(alone.length).toBeLessThan(8);
    expect(await reopened.vectorCandidates(query, { agentId: "rare", limit: 10 })).toHaveLength(8);
  }, 120_000);
});
