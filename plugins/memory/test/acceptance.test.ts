/*
 * Issue 13's acceptance tests for the facts table: real LanceDB in temp directories, reached through
 * the memory service of a real kernel (the test kit) or through FactStore itself.
 *
 * One writer: the facts table is written by one process, the kernel (one per state root, by its
 * lock). LanceDB itself lets two processes append, but the store's rules do not hold across them:
 * its write queue, which is what keeps an exact or near duplicate from being added twice, is per
 * process, and its periodic compaction conflicts with the other process's writes ("Retryable commit
 * conflict … Rewrite transaction was preempted"), which fails an add whose row was already written.
 * So nothing here writes from two processes at once; a command that changes memory goes through the
 * kernel, and the crash test below kills the one writer.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import * as lancedb from "@lancedb/lancedb";
import { memoryRef, type MemoryService } from "@aleph/plugin-sdk";
import { createTestKernel, runAndKill, type TestKernel } from "@aleph/testing";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../src/embedders/hash-embedder.js";
import { contentHash, createFactIdFactory } from "../src/facts/fact-identity.js";
import { FactStore } from "../src/facts/fact-store.js";

const memoryDir = fileURLToPath(new URL("..", import.meta.url));
const adderScript = fileURLToPath(new URL("./fixtures/fact-adder.mjs", import.meta.url));
const DIM = 64;
const SPACE = { model: HASH_EMBEDDER_MODEL, dimension: DIM };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "aleph-memory-acceptance-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** A kernel with the memory plugin (hash embedder of DIM) on `root`. */
async function kernelOn(root: string, memory: Record<string, unknown> = {}): Promise<{ kernel: TestKernel; memory: MemoryService }> {
  const kernel = await createTestKernel({ root, plugins: [memoryDir], config: { memory: { hash_dimension: DIM, ...memory } } });
  cleanups.push(() => kernel.stop());
  expect(kernel.plugin("memory")?.status).toBe("active");
  return { kernel, memory: kernel.service(memoryRef)! };
}

const factsDir = (root: string) => join(root, "memory", "facts.lance");

/** Made-up words from a seeded generator, so facts are distinct (no two near duplicates) and the test repeatable. */
function wordMaker(seed: number): () => string {
  const syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "dre", "fon", "gal", "hur", "jen"];
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return () => Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join("");
}

function distinctTexts(count: number, seed: number, prefix = ""): string[] {
  const word = wordMaker(seed);
  return Array.from({ length: count }, () => `${prefix}${word()} ${word()} ${word()} ${word()} ${word()}`);
}

describe("the per-agent filter at 100k facts", () => {
  it("finds k of an agent's 20 facts among 100,000, all 20 for k = 20, however close the other agent's facts are to the query", async () => {
    const root = await tempRoot();
    const store = await FactStore.open(factsDir(root), { space: SPACE });
    const query = "quarterly budget review for the marketing team";
    const q = hashEmbed(query, DIM);

    // Agent a's 99,980 facts all sit right by the query, so a filter applied after the top-k search
    // would find no fact of b at all. They are written straight into the store's own table (rows
    // shaped like one the store wrote): through add() they would be merged as near duplicates,
    // which is what they are, on purpose.
    await store.add({ agentId: "a", text: `${query} (template)` }, q);
    const tableName = (JSON.parse(readFileSync(join(root, "memory", "facts.json"), "utf8")) as { table?: string }).table ?? "facts";
    const table = await (await lancedb.connect(factsDir(root))).openTable(tableName);
    const [row] = (await table.query().limit(1).toArray()) as Record<string, unknown>[];
    const template = { ...row }; // a plain object: spreading LanceDB's row proxy 100,000 times is slow
    const newId = createFactIdFactory();
    let noise = 1;
    const near = () => {
      const v = Array.from(q, (x) => x + ((noise = (Math.imul(noise, 48271) >>> 0) % 2147483647) / 2147483647 - 0.5) * 0.02);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const bulk = async (count: number, from: number) => {
      for (let start = 0; start < count; start += 25_000) {
        const rows = Array.from({ length: Math.min(25_000, count - start) }, (_, i) => {
          const text = `${query} item ${from + start + i}`;
          return { ...template, id: newId(), text, content_hash: contentHash("a", "agent", text), vector: near() };
        });
        await table.add(rows);
      }
    };
    // b's facts, added through the store, are spread among a's.
    const bTexts = distinctTexts(20, 42, "gardening note: ");
    const bIds: string[] = [];
    const addB = async (texts: string[]) => {
      for (const text of texts) {
        const added = await store.add({ agentId: "b", text }, hashEmbed(text, DIM));
        expect(added.outcome).toBe("added");
        bIds.push(added.id);
      }
    };
    await bulk(50_000, 0);
    await addB(bTexts.slice(0, 10));
    await bulk(49_979, 50_000);
    await addB(bTexts.slice(10));
    expect([await store.count("a"), await store.count("b")]).toEqual([99_980, 20]);

    const agentsOf = async (ids: string[]) => (await store.getMany(ids)).map((f) => f.agentId);
    for (const state of ["as written", "compacted"]) {
      if (state === "compacted") await store.optimize();
      const ten = await store.vectorCandidates(q, { agentId: "b", limit: 10 });
      expect(ten, state).toHaveLength(10);
      expect(new Set(await agentsOf(ten.map((c) => c.id))), state).toEqual(new Set(["b"]));
      const twenty = await store.vectorCandidates(q, { agentId: "b", limit: 20 });
      expect(new Set(twenty.map((c) => c.id)), state).toEqual(new Set(bIds));
      expect(await store.vectorCandidates(q, { agentId: "b", limit: 40 }), state).toHaveLength(20);
    }

    // The same through the memory service of a kernel on that root.
    const { memory } = await kernelOn(root);
    const k10 = await memory.search(query, { agentId: "b", k: 10 });
    expect(k10).toHaveLength(10);
    expect(new Set(k10.map((h) => h.fact.agentId))).toEqual(new Set(["b"]));
    const k20 = await memory.search(query, { agentId: "b", k: 20 });
    expect(new Set(k20.map((h) => h.fact.id))).toEqual(new Set(bIds));
    expect(await memory.search(query, { agentId: "b", k: 50 })).toHaveLength(20);
    const forA = await memory.search(query, { agentId: "a", k: 10 });
    expect(forA).toHaveLength(10);
    expect(new Set(forA.map((h) => h.fact.agentId))).toEqual(new Set(["a"]));
  }, 90_000);
});

describe("duplicates", () => {
  it("stores a fact added 100 times once, counting the repeats and keeping every source", async () => {
    const { memory } = await kernelOn(await tempRoot());
    const outcomes: string[] = [];
    let id = "";
    for (let i = 0; i < 100; i++) {
      // The same text as the content hash sees it: case, spacing and a final full stop do not matter.
      const text = i % 3 === 0 ? "The user lives in Berlin" : i % 3 === 1 ? "the user  lives in berlin." : "THE USER LIVES IN BERLIN";
      const added = await memory.add({ agentId: "main", text, source: `s${i % 5}` });
      outcomes.push(added.outcome);
      id ||= added.id;
      expect(added.id).toBe(id);
    }
    expect(outcomes.filter((o) => o === "added")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(99);
    expect((await memory.stats("main")).live).toBe(1);
    const fact = await memory.get(id);
    expect(fact).toMatchObject({ text: "The user lives in Berlin", accessCount: 99 });
    expect(fact!.sources.sort()).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    // Another agent, or another scope, keeps its own copy.
    expect((await memory.add({ agentId: "other", text: "The user lives in Berlin" })).outcome).toBe("added");
    expect((await memory.add({ agentId: "main", scope: "project", text: "The user lives in Berlin" })).outcome).toBe("added");
  }, 30_000);

  it("merges a near duplicate into the fact it repeats, and keeps a different fact that shares most words", async () => {
    const { memory } = await kernelOn(await tempRoot(), { hash_dimension: 384 });
    const first = await memory.add({ agentId: "main", text: "The user's daughter Alice plays the violin in the school orchestra every Thursday afternoon", tags: ["family"] });
    const near = await memory.add({ agentId: "main", text: "The user's daughter Alice plays violin in the school orchestra every Thursday afternoon", tags: ["music"], importance: 0.75 });
    expect(near).toEqual({ id: first.id, outcome: "merged" });
    expect(await memory.get(first.id)).toMatchObject({ accessCount: 1, importance: 0.75, tags: ["family", "music"] });
    const other = await memory.add({ agentId: "main", text: "The user's daughter Alice plays the cello in the school orchestra every Thursday afternoon" });
    expect(other.outcome).toBe("added");
    expect((await memory.stats("main")).live).toBe(2);
  }, 30_000);

  it("adds 100 copies of a fact in one batch as one row", async () => {
    const store = await FactStore.open(factsDir(await tempRoot()), { space: SPACE });
    const text = "The build server restarts at midnight";
    const outcomes = await store.addMany(Array.from({ length: 100 }, (_, i) => ({ input: { agentId: "main", text, source: `batch-${i % 4}` }, vector: hashEmbed(text, DIM) })));
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
    expect(outcomes.map((o) => o.outcome).filter((o) => o === "added")).toHaveLength(1);
    expect(await store.count("main")).toBe(1);
    expect((await store.get(outcomes[0]!.id))?.sources.sort()).toEqual(["batch-0", "batch-1", "batch-2", "batch-3"]);
  }, 30_000);
});

describe("concurrency", () => {
  it("loses no fact when 10 adders write through one service at once, and stores a fact they all add once", async () => {
    const { memory } = await kernelOn(await tempRoot());
    const perAdder = 20;
    const adders = Array.from({ length: 10 }, (_, a) => distinctTexts(perAdder, 1000 + a, `adder ${a}: `));
    const results = await Promise.all(
      adders.map(async (texts) => {
        // First the one fact they all share (ten adds of it at the same moment), then each its own.
        const shared = (await memory.add({ agentId: "main", text: "Everyone agrees the office closes at six" })).id;
        const ids: string[] = [];
        for (const text of texts) ids.push((await memory.add({ agentId: "main", text })).id);
        return [...ids, shared];
      }),
    );
    const own = results.flatMap((ids) => ids.slice(0, perAdder));
    expect(new Set(own).size).toBe(10 * perAdder);
    expect(new Set(results.map((ids) => ids.at(-1))).size).toBe(1);
    expect((await memory.stats("main")).live).toBe(10 * perAdder + 1);
    const stored = await memory.list({ agentId: "main", limit: 1000 });
    expect(new Set(stored.map((f) => f.text))).toEqual(new Set([...adders.flat(), "Everyone agrees the office closes at six"]));
  }, 60_000);
});

describe("a crash mid-add", () => {
  it("leaves a table that opens, serves searches and holds every acknowledged fact, after SIGKILLs at three moments", async () => {
    const root = await tempRoot();
    const acknowledged = new Map<string, number>(); // id → round
    for (const [round, killAfterMs] of [400, 1100, 2300].entries()) {
      const lines = await runAndKill(adderScript, [root, memoryDir, String(round)], { killAfterMs, cwd: memoryDir });
      const acks = lines.filter((l) => l.startsWith("A ")).map((l) => l.split(" "));
      expect(acks.length, `round ${round} acknowledged no add before the kill`).toBeGreaterThan(0);
      for (const [, , id] of acks) acknowledged.set(id!, round);
    }
    // The table compacts (the kill may have fallen mid-compaction), then a kernel serves it.
    const store = await FactStore.open(factsDir(root), { space: SPACE });
    await store.optimize();
    expect(await store.count("main")).toBeGreaterThanOrEqual(acknowledged.size);
    const { memory } = await kernelOn(root);
    const stats = await memory.stats("main");
    expect(stats.vectorsUsable).toBe(true);
    expect(stats.live).toBeGreaterThanOrEqual(acknowledged.size);
    const found = await Promise.all([...acknowledged.keys()].map((id) => memory.get(id)));
    expect(found.filter((f) => f === undefined)).toEqual([]);
    // It serves: a search finds a fact of the last round by its words, and a new fact is added.
    const last = found.findLast((f) => f !== undefined && f.text.startsWith("round 2:"))!;
    expect((await memory.search(last.text, { agentId: "main", k: 3 })).map((h) => h.fact.id)).toContain(last.id);
    expect((await memory.add({ agentId: "main", text: "Added after the crashes" })).outcome).toBe("added");
    expect((await memory.stats("main")).live).toBe(stats.live + 1);
  }, 60_000);
});
