import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore, sqlString } from "./fact-store.js";

const DIM = 64;
const space = { model: HASH_EMBEDDER_MODEL, dimension: DIM };
const embed = (text: string) => hashEmbed(text, DIM);
const dir = () => join(mkdtempSync(join(tmpdir(), "aleph-facts-")), "memory", "facts.lance");

describe("facts table", () => {
  it("stores one row for a fact added 100 times, counting the repeats and keeping every source", async () => {
    const store = await FactStore.open(dir(), { space });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.add({ agentId: "main", text: i % 2 ? "The user lives in Berlin." : "the user lives in  berlin", source: `s${i % 3}` }, embed("the user lives in berlin"))),
    );
    expect(results.filter((r) => r.outcome === "added")).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await store.count("main")).toBe(1);
    const fact = (await store.get(results[0]!.id))!;
    expect(fact.accessCount).toBe(99);
    expect(fact.sources.sort()).toEqual(["s0", "s1", "s2"]);
  }, 60_000);

  it("merges a near duplicate in the same agent and scope, never across agents or scopes", async () => {
    const store = await FactStore.open(dir(), { space, nearDuplicate: 0.8 });
    const first = await store.add({ agentId: "main", text: "The user lives in Berlin", tags: ["home"] }, embed("The user lives in Berlin"));
    const near = await store.add({ agentId: "main", text: "The user lives in Berlin now", tags: ["city"], importance: 0.9 }, embed("The user lives in Berlin now"));
    expect(near).toEqual({ id: first.id, outcome: "merged" });
    expect((await store.get(first.id))!).toMatchObject({ tags: ["home", "city"], importance: expect.closeTo(0.9, 5), accessCount: 1 });
    expect((await store.add({ agentId: "b", text: "The user lives in Berlin now" }, embed("The user lives in Berlin now"))).outcome).toBe("added");
    expect((await store.add({ agentId: "main", scope: "project", text: "The user lives in Berlin now" }, embed("The user lives in Berlin now"))).outcome).toBe("added");
    expect((await store.add({ agentId: "main", text: "The user works at a bakery" }, embed("The user works at a bakery"))).outcome).toBe("added");
  }, 60_000);

  it("finds an agent's k nearest facts among many of other agents (the filter runs before the search)", async () => {
    const store = await FactStore.open(dir(), { space });
    const topics = ["cats", "dogs", "tea", "trains", "berlin", "rust", "music", "football"];
    for (let i = 0; i < 400; i++) {
      const text = `note ${i} about ${topics[i % topics.length]} and ${topics[(i * 3) % topics.length]}`;
      await store.add({ agentId: i % 40 === 0 ? "b" : "a", text }, embed(text));
    }
    expect(await store.count("b")).toBe(10);
    const hits = await store.vectorCandidates(embed("something about trains"), { agentId: "b", limit: 8 });
    expect(hits).toHaveLength(8); // never fewer than k when k facts of b exist
    const all = await store.vectorCandidates(embed("something about trains"), { agentId: "b", limit: 50 });
    expect(all).toHaveLength(10);
    for (const h of all) expect((await store.get(h.id))!.agentId).toBe("b");
    // Full text too, with the same filter before the search, over indexed and newer rows alike.
    // (b's notes, every 40th, are all about cats; a's mention trains too.)
    expect(await store.keywordCandidates("trains", { agentId: "b", limit: 50 })).toEqual([]);
    const words = await store.keywordCandidates("cats", { agentId: "b", limit: 50 });
    expect(words).toHaveLength(10);
    for (const h of words) expect((await store.get(h.id))!.text).toMatch(/cats/);
    for (const h of words) expect((await store.get(h.id))!.agentId).toBe("b");
    expect(await store.keywordCandidates("   ", { agentId: "b", limit: 5 })).toEqual([]);
  }, 120_000);

  it("forgets a fact (kept, but no longer found) and keeps everything across a reopen", async () => {
    const where = dir();
    const store = await FactStore.open(where, { space });
    const { id } = await store.add({ agentId: "main", text: "Likes tea" }, embed("Likes tea"));
    await store.add({ agentId: "main", text: "Owns a bike" }, embed("Owns a bike"));
    expect(await store.forget(id)).toBe(true);
    expect(await store.forget(id)).toBe(false);
    const again = await FactStore.open(where, { space });
    expect(await again.count("main")).toBe(1);
    expect((await again.get(id))!.invalidatedAt).toEqual(expect.any(Number));
    expect((await again.vectorCandidates(embed("tea"), { agentId: "main", limit: 5 })).map((c) => c.id)).not.toContain(id);
  }, 60_000);

  it("pauses vector search when the embedder changed, until a reindex", async () => {
    const where = dir();
    const store = await FactStore.open(where, { space });
    await store.add({ agentId: "main", text: "Likes tea" }, embed("Likes tea"));
    const other = await FactStore.open(where, { space: { model: "provider:openai/text-embedding-3-small", dimension: 1536 } });
    expect(other.vectorsUsable).toBe(false);
    expect(other.storedSpace).toEqual(space);
    expect(await other.vectorCandidates(new Float32Array(1536), { agentId: "main", limit: 5 })).toEqual([]);
  }, 60_000);

  it("refuses empty facts and vectors of another size, and quotes strings safely in filters", async () => {
    const store = await FactStore.open(dir(), { space });
    await expect(store.add({ agentId: "main", text: "   " }, embed("x"))).rejects.toThrow(/empty fact/);
    await expect(store.add({ agentId: "main", text: "x" }, new Float32Array(3))).rejects.toThrow(/3 dimensions/);
    expect(sqlString("it's")).toBe("'it''s'");
    const tricky = "b' OR agent_id = 'a";
    await store.add({ agentId: "a", text: "secret of a" }, embed("secret of a"));
    expect(await store.count(tricky)).toBe(0);
    await expect(FactStore.open(dir(), { space: { model: "x", dimension: 0 } })).rejects.toThrow(/dimension 0/);
  }, 60_000);

  it("imports many facts in one pass: duplicates and near duplicates of the table and of the batch merged, outcomes in order", async () => {
    const store = await FactStore.open(dir(), { space, nearDuplicate: 0.8 });
    const existing = await store.add({ agentId: "main", text: "The user lives in Berlin", source: "old" }, embed("The user lives in Berlin"));
    const item = (text: string, agentId = "main", source = "import") => ({ input: { agentId, text, source }, vector: embed(text) });
    const outcomes = await store.addMany([
      item("the user lives in berlin."), // exact duplicate of the table
      item("The user lives in Berlin now"), // near duplicate of the table
      item("Owns a red bicycle"),
      item("owns a red bicycle"), // exact duplicate within the batch
      item("Owns a red bicycle today"), // near duplicate within the batch
      item("Owns a red bicycle", "b"), // another agent: its own fact
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["duplicate", "merged", "added", "duplicate", "merged", "added"]);
    expect(outcomes[0]!.id).toBe(existing.id);
    expect(outcomes[1]!.id).toBe(existing.id);
    expect(outcomes[3]!.id).toBe(outcomes[2]!.id);
    expect(outcomes[4]!.id).toBe(outcomes[2]!.id);
    expect(await store.count("main")).toBe(2);
    expect(await store.count("b")).toBe(1);
    expect((await store.get(existing.id))!).toMatchObject({ accessCount: 2, sources: ["old", "import"] });
    expect((await store.get(outcomes[2]!.id))!.accessCount).toBe(2);
    await expect(store.addMany([item("  ")])).rejects.toThrow(/empty fact/);
  }, 60_000);

  it("imports 1000 facts in one pass, each one added or merged, none lost", async () => {
    const store = await FactStore.open(dir(), { space });
    const texts = Array.from({ length: 1000 }, (_, i) => `fact ${i}: item ${i % 97} belongs to group ${i % 13} in region ${i % 7}`);
    const outcomes = await store.addMany(texts.map((text) => ({ input: { agentId: "main", text }, vector: embed(text) })));
    expect(outcomes.filter((o) => o.outcome === "added").length + outcomes.filter((o) => o.outcome === "merged").length).toBe(1000);
    expect(await store.count("main")).toBe(outcomes.filter((o) => o.outcome === "added").length);
    // Every merged one points at an added one.
    const added = new Set(outcomes.filter((o) => o.outcome === "added").map((o) => o.id));
    for (const o of outcomes) expect(added.has(o.id)).toBe(true);
  }, 120_000);

  it("lists newest first, pins, evicts the least valuable beyond the limit (never pinned or evergreen), and purges old forgotten facts", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const store = await FactStore.open(dir(), { space, now: () => now });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      now += 86_400_000;
      const text = `fact number ${i} about topic ${i}`;
      ids.push((await store.add({ agentId: "main", text, importance: i === 0 ? 0.1 : 0.5, evergreen: i === 1, category: i % 2 ? "odd" : "even" }, embed(text))).id);
    }
    expect((await store.list({ agentId: "main", limit: 3 })).map((f) => f.id)).toEqual([ids[5], ids[4], ids[3]]);
    expect((await store.list({ agentId: "main", limit: 10, category: "odd" })).map((f) => f.id)).toEqual([ids[5], ids[3], ids[1]]);
    expect(await store.pin(ids[2]!)).toBe(true);
    expect(await store.pin("01ARZ3NDEKTSV4RRFFQ69G5FAV")).toBe(false);

    // Limit 3: three must go. The oldest, least important (0) first; 1 is evergreen and 2 pinned, so they stay.
    now += 200 * 86_400_000;
    const evicted = await store.evictOver("main", 3);
    expect(evicted).toHaveLength(3);
    expect(evicted[0]).toBe(ids[0]);
    expect(evicted).not.toContain(ids[1]);
    expect(evicted).not.toContain(ids[2]);
    expect(await store.count("main")).toBe(3);
    expect(await store.evictOver("main", 3)).toEqual([]);
    expect(await store.stats("main")).toMatchObject({ live: 3, forgotten: 3, pinned: 1, vectorsUsable: true });

    now += 31 * 86_400_000;
    expect(await store.purgeForgotten(now - 30 * 86_400_000)).toBe(3);
    expect(await store.get(evicted[0]!)).toBeUndefined();
    expect(await store.count("main")).toBe(3);
  }, 60_000);

  it("never counts or finds an expired fact", async () => {
    let now = 1_000_000;
    const store = await FactStore.open(dir(), { space, now: () => now });
    await store.add({ agentId: "main", text: "Meeting moved to Friday", expiresAt: 2_000_000 }, embed("Meeting moved to Friday"));
    expect(await store.count("main")).toBe(1);
    now = 2_000_001;
    expect(await store.count("main")).toBe(0);
    expect(await store.vectorCandidates(embed("meeting"), { agentId: "main", limit: 5 })).toEqual([]);
    expect(await store.keywordCandidates("meeting", { agentId: "main", limit: 5 })).toEqual([]);
  }, 60_000);
});

