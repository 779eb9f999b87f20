// memory-search: the memory plugin's hybrid search (searchFacts: vector + full-text candidates,
// ranked with the service's default tuning, MMR included) over its facts table at 10k and 100k
// facts, the table's vector index as FactStore keeps it (vector-index.ts: none below 20k rows,
// IVF_PQ from there), against a brute-force scan of the same table in the same run: the same
// search with every vector search a LanceDB flat scan (`exact: true` → `bypassVectorIndex()`:
// the query compared with every live fact of the agent). Vector-only and hybrid, interleaved.
// Budgets at 100k: recall@10 of the result against the brute-force one ≥ 0.95, p50 ≥ 5× faster;
// and a filtered search of an agent that has 20 facts among the 100k returns all of them.
import { join } from "node:path";
import { FactStore, hashEmbed, HASH_EMBEDDER_MODEL, searchFacts } from "@aleph/plugin-memory/runtime";
import { check, fmtMs, main, median, note, tempDir } from "./lib.mjs";
import { factRow, factTexts, importLanceDb, queryTexts } from "./memory-facts.mjs";

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? "10000,100000").split(",").map(Number);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 40);
const WARMUP = 5;
const K = 10;
const DIM = 384;
const SPACE = { model: HASH_EMBEDDER_MODEL, dimension: DIM };
/** memory's [memory.search] defaults (config.ts), as the service passes them. */
const TUNING = { fusion: "weighted", vectorWeight: 0.5, keywordWeight: 0.5, halfLifeDays: 30, decayFloor: 0.5, importanceWeight: 0.15, mmrLambda: 0.7 };
/** Every 5000th fact is the rare agent's: 20 of 100k. */
const agentOf = (i) => (i % 5000 === 7 ? "rare" : "main");
const embed = async (text) => hashEmbed(text, DIM);

/** The store as searchFacts sees it, with every vector search a flat scan: the brute-force side. */
const bruteForce = (store) => ({
  vectorsUsable: store.vectorsUsable,
  vectorCandidates: (vector, options) => store.vectorCandidates(vector, { ...options, exact: true }),
  keywordCandidates: (text, options) => store.keywordCandidates(text, options),
  listCandidates: (options) => store.listCandidates(options),
  getMany: (ids) => store.getMany(ids),
});

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** p50 of each side and recall@10 of the indexed side against brute force, for one mode. */
async function measure(store, mode, queries) {
  const sides = [store, bruteForce(store)];
  const ms = [[], []];
  let recall = 0;
  for (const [i, text] of queries.entries()) {
    const order = i % 2 ? [1, 0] : [0, 1]; // drift hits both sides alike
    const out = [];
    for (const s of order) out[s] = await timed(() => searchFacts(sides[s], embed, { agentId: "main", text, k: K, mode }, TUNING));
    if (i < WARMUP) continue;
    ms[0].push(out[0].ms);
    ms[1].push(out[1].ms);
    const exact = new Set(out[1].value.map((h) => h.fact.id));
    recall += out[0].value.filter((h) => exact.has(h.fact.id)).length / Math.max(1, exact.size);
  }
  return { indexed: median(ms[0]), flat: median(ms[1]), recall: recall / (queries.length - WARMUP) };
}

main(async () => {
  const dir = join(tempDir("aleph-memory-search-"), "memory", "facts.lance");
  await FactStore.open(dir, { space: SPACE }); // creates the table and its agent_id and full-text indexes
  const lancedb = await importLanceDb();
  const table = await (await lancedb.connect(dir)).openTable("facts");
  const texts = factTexts(Math.max(...SIZES));
  const queries = queryTexts(QUERIES + WARMUP);
  const now = Date.now();
  let rows = 0;
  for (const size of SIZES) {
    // Written with LanceDB's own table.add, 10k rows a call, in FactStore's row format: addMany's
    // duplicate checks would take minutes here, and bench/memory-import measures them.
    const t0 = performance.now();
    for (; rows < size; rows += Math.min(10_000, size - rows)) {
      await table.add(texts.slice(rows, Math.min(size, rows + 10_000)).map((text, j) => factRow(`f${rows + j}`, agentOf(rows + j), text, hashEmbed(text, DIM), HASH_EMBEDDER_MODEL, now)));
    }
    const written = performance.now() - t0;
    // A fresh store sees the rows; its optimize compacts them, brings the full-text index up to
    // date and builds the vector index if the policy says so, as the service's optimize does.
    const store = await FactStore.open(dir, { space: SPACE });
    const t1 = performance.now();
    await store.optimize();
    const optimized = performance.now() - t1;
    note(`${size} facts: written in ${fmtMs(written)} (table.add, hash-embedded, 10k a call); optimize ${fmtMs(optimized)}; vector index: ${store.vectorIndex ?? "none (flat scans)"}`);

    const vector = await measure(store, "vector", queries);
    const hybrid = await measure(store, "hybrid", queries);
    const gated = size >= 100_000;
    for (const [mode, r] of [["vector-only", vector], ["hybrid", hybrid]]) {
      const ratio = r.flat / r.indexed;
      const line = `memory-search: ${mode} search at ${size} facts: p50 ${fmtMs(r.indexed)} vs brute force ${fmtMs(r.flat)} = ${ratio.toFixed(1)}× faster, recall@${K} ${r.recall.toFixed(3)}`;
      check("memory-search", gated ? `${line} (budget: ≥ 5×, recall ≥ 0.95)` : line, gated ? ratio >= 5 && r.recall >= 0.95 : null);
    }
    if (gated) {
      const rare = texts.filter((_, i) => i < size && agentOf(i) === "rare").length;
      const found = await store.vectorCandidates(await embed(queries[0]), { agentId: "rare", limit: 4 * K });
      const hits = await searchFacts(store, embed, { agentId: "rare", text: queries[0], k: K }, TUNING);
      check("memory-search", `memory-search: an agent with ${rare} of ${size} facts: the vector search returns ${found.length} of them, the hybrid search ${hits.length} of k=${K} (budget: all)`, found.length === rare && hits.length === Math.min(K, rare));
    }
  }
});
