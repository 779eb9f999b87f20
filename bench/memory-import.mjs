// memory-import: bulk import into the memory plugin's facts table through its batched path —
// FactStore.addMany, 1,000 facts a call as `aleph memory import` sends them (commands/transfer.ts
// IMPORT_BATCH), each batch hash-embedded first (384 dims), so every fact is checked against the
// table and the batch for exact and near duplicates — against LanceDB's own `table.add` of the
// same facts in FactStore's row format, embedded the same way, with no checks. 10k generated facts
// into a fresh table each time (FactStore.open's, with its agent_id and full-text indexes), the
// two sides alternating, 3 rounds. Budget: addMany ≥ 0.5× the raw rows/s.
import { join } from "node:path";
import { FactStore, hashEmbed, HASH_EMBEDDER_MODEL } from "@aleph/plugin-memory/runtime";
import { check, fmtMs, main, median, note, tempDir } from "./lib.mjs";
import { factRow, factTexts, importLanceDb } from "./memory-facts.mjs";

const FACTS = Number(process.env.BENCH_IMPORT_FACTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);
const BATCH = 1_000;
const DIM = 384;
const SPACE = { model: HASH_EMBEDDER_MODEL, dimension: DIM };

main(async () => {
  const lancedb = await importLanceDb();
  const texts = factTexts(FACTS, 99);
  const root = tempDir("aleph-memory-import-");
  const fresh = async (name) => {
    const dir = join(root, name, "memory", "facts.lance");
    return { dir, store: await FactStore.open(dir, { space: SPACE }) };
  };

  const viaAddMany = async (round) => {
    const { store } = await fresh(`addmany-${round}`);
    const outcomes = { added: 0, duplicate: 0, merged: 0 };
    const t0 = performance.now();
    for (let i = 0; i < FACTS; i += BATCH) {
      const batch = texts.slice(i, i + BATCH);
      const vectors = batch.map((text) => hashEmbed(text, DIM));
      for (const r of await store.addMany(batch.map((text, j) => ({ input: { agentId: "main", text, source: "import" }, vector: vectors[j] })))) outcomes[r.outcome]++;
    }
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await store.optimize(); // what the import command does last: every index covers every row
    return { ms, outcomes, optimize: performance.now() - t1 };
  };

  const viaTableAdd = async (round) => {
    const { dir } = await fresh(`raw-${round}`);
    const table = await (await lancedb.connect(dir)).openTable("facts");
    const t0 = performance.now();
    for (let i = 0; i < FACTS; i += BATCH) {
      const now = Date.now();
      await table.add(texts.slice(i, i + BATCH).map((text, j) => factRow(`f${i + j}`, "main", text, hashEmbed(text, DIM), HASH_EMBEDDER_MODEL, now)));
    }
    return { ms: performance.now() - t0 };
  };

  await viaTableAdd("warm-up"); // LanceDB's and the runtime's first use
  const many = [];
  const raw = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The order alternates so drift hits both sides alike.
    if (round % 2) {
      raw.push(await viaTableAdd(round));
      many.push(await viaAddMany(round));
    } else {
      many.push(await viaAddMany(round));
      raw.push(await viaTableAdd(round));
    }
  }
  const o = many[0].outcomes;
  note(`addMany outcomes: ${o.added} added, ${o.duplicate} duplicate, ${o.merged} merged; the import's closing optimize ${fmtMs(median(many.map((m) => m.optimize)))} (not counted)`);
  note(`per round: addMany ${many.map((m) => fmtMs(m.ms)).join(", ")}; table.add ${raw.map((r) => fmtMs(r.ms)).join(", ")}`);
  const manyRate = FACTS / (median(many.map((m) => m.ms)) / 1000);
  const rawRate = FACTS / (median(raw.map((r) => r.ms)) / 1000);
  const ratio = manyRate / rawRate;
  check("memory-import", `memory-import: ${FACTS} facts into an empty table, ${BATCH} a batch, embedding included: FactStore.addMany ${Math.round(manyRate)} rows/s vs raw table.add ${Math.round(rawRate)} rows/s = ${ratio.toFixed(2)}× (budget: ≥ 0.5×)`, ratio >= 0.5);
});
