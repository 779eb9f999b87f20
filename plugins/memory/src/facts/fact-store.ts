import { mkdirSync } from "node:fs";
import type * as LanceDb from "@lancedb/lancedb";
import { AlephError, type Fact, type FactFilter, type FactInput, type MemoryStats } from "@aleph/plugin-sdk";
import { cosine } from "../embedders/hash-embedder.js";
import type { RankCandidate } from "../search/rank.js";
import { nearDuplicateCandidates, planBulkAdd, prepareFacts, type AddOutcome, type AddResult, type BulkItem } from "./bulk-add.js";
import { contentHash, createFactIdFactory } from "./fact-identity.js";
import type { Probe } from "./near-duplicates.js";
import { candidateOf, mergeRepeat, newRow, sqlString, storedColumns, storedVector, toFact, type Row } from "./rows.js";
import { KeptVectors, NEAR_SCAN_FLOATS, readScopeVectors } from "./stored-vectors.js";
import { createFactsTable, metaFileOf, otherDimension, readMeta, staleStore, TABLE, writeMeta, type EmbeddingSpace } from "./table-meta.js";
import { planVectorIndex, REFINE_FACTOR, VECTOR_INDEX_AT } from "./vector-index.js";

/*
 * The facts table (memory/facts.lance): one LanceDB table for every agent, always filtered by
 * agent_id with `where` — which LanceDB applies BEFORE the vector search, so a filter never
 * loses results (`.postfilter()`, which filters after top-k and can return nothing, is never
 * used). LanceDB is imported on first use: it costs ~50 ms to load.
 *
 * Duplicates never pile up: the same text (agent + scope + normalised text: the content hash)
 * adds no row, and a near duplicate (cosine ≥ the threshold, same agent and scope) is merged
 * into the fact it repeats. Writes go through one queue per table, so concurrent adders never
 * both decide "new" for one fact.
 *
 * Past a size the table gets a vector index (vector-index.ts: the policy and its measurements).
 * An index search with a selective filter can come back short — IVF probes some partitions and
 * the few matching rows may lie in others — so a short result is searched again flat, which is
 * cheap exactly when few rows match: k results whenever k facts match, index or not.
 *
 * This class owns the table, its write queue and the public methods; the rest is beside it: the
 * columns (rows.ts), which table is in use (table-meta.ts), what a bulk add does with each fact
 * (bulk-add.ts), the vectors it keeps between calls (stored-vectors.ts) and compares in memory
 * (near-duplicates.ts), and the vector index policy (vector-index.ts).
 */

export type { AddOutcome } from "./bulk-add.js";
export { sqlString } from "./rows.js";
export { isStaleStore, staleStore, type EmbeddingSpace } from "./table-meta.js";
export type { Fact, FactFilter, FactInput };

export interface CandidateQuery extends FactFilter {
  agentId: string;
  limit: number;
  /** A flat scan even when the table has a vector index: the ground truth for recall (bench/memory-search.mjs). */
  exact?: boolean;
}

const OPTIMIZE_EVERY = 32;
/** Unindexed rows a keyword search reads besides its limit, at most (past it, an optimize is due anyway). */
const MAX_UNINDEXED_READ = 5_000;
/** Quiet time after the last write before the indexes are brought up to date. */
const IDLE_OPTIMIZE_MS = 1_000;
/** Rows re-embedded per step of a reindex (one embedder call each). */
const REBUILD_PAGE = 256;

export interface FactStoreOptions {
  space: EmbeddingSpace;
  /** Cosine at or above which a new fact in the same agent and scope is merged into an existing one. */
  nearDuplicate?: number;
  now?: () => number;
  /** Rows from which the table gets a vector index (default VECTOR_INDEX_AT; at least 256). */
  vectorIndexAt?: number;
}

export class FactStore {
  readonly dir: string;
  readonly #table: LanceDb.Table;
  readonly #space: EmbeddingSpace;
  /** The space the stored vectors are in, when it differs from the embedder's: vector search pauses. */
  readonly storedSpace: EmbeddingSpace;
  readonly #nearDuplicate: number;
  readonly #now: () => number;
  readonly #newId: () => string;
  #queue: Promise<unknown> = Promise.resolve();
  #writesSinceOptimize = 0;
  /**
   * Rows written since the full-text index was last brought up to date (by optimize). LanceDB
   * searches them unindexed and returns them unsorted, so a keyword search reads this many more
   * and sorts (lance-format/lance#5062).
   */
  #unindexedText = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The vector index's name, when the table has one. */
  #vectorIndex: string | undefined;
  readonly #vectorIndexAt: number;
  /** Set once a reindex switched to a new table: this store's writes would be lost, so they are refused. */
  #retired = false;
  /** Agents' vectors as the last bulk adds read and extended them (stored-vectors.ts: why they stay exact). */
  readonly #keptVectors = new KeptVectors();

  private constructor(dir: string, table: LanceDb.Table, stored: EmbeddingSpace, options: FactStoreOptions, vectorIndex: string | undefined, unindexedText: number) {
    this.dir = dir;
    this.#unindexedText = unindexedText;
    this.#vectorIndex = vectorIndex;
    this.#vectorIndexAt = options.vectorIndexAt ?? VECTOR_INDEX_AT;
    this.#table = table;
    this.storedSpace = stored;
    this.#space = options.space;
    this.#nearDuplicate = options.nearDuplicate ?? 0.92;
    this.#now = options.now ?? Date.now;
    this.#newId = createFactIdFactory(this.#now);
  }

  /** Opens (creating if needed) the facts table in `dir` (memory/facts.lance). */
  static async open(dir: string, options: FactStoreOptions): Promise<FactStore> {
    const { space } = options;
    if (!Number.isInteger(space.dimension) || space.dimension < 1 || space.dimension > 8192) {
      throw new AlephError("ALEPH_E_CONFIG", `embedding dimension ${String(space.dimension)} is out of range`, { fix: "1 to 8192" });
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const metaFile = metaFileOf(dir);
    const lancedb = await import("@lancedb/lancedb");
    const db = await lancedb.connect(dir);
    const meta = readMeta(metaFile);
    const names = await db.tableNames();
    // Without facts.json (lost, or from before it), the newest facts table found is the one in use.
    const name = meta?.table ?? (names.includes(TABLE) ? TABLE : (names.filter((n) => n.startsWith(`${TABLE}-`)).sort().at(-1) ?? TABLE));
    let stored: EmbeddingSpace;
    let table: LanceDb.Table;
    if (names.includes(name)) {
      table = await db.openTable(name);
      stored = meta ? { model: meta.model, dimension: meta.dimension } : space; // a table from before the record: take it as the embedder's
    } else {
      table = await createFactsTable(db, name, space.dimension);
      stored = space;
      await writeMeta(metaFile, space, name);
    }
    // A reindex that died before its switch leaves its half-built table (the switch never happened),
    // and one that died after it may leave the old table: both go.
    // Only when facts.json names the table in use is anything else known to be a leftover.
    if (meta) for (const other of names) if (other !== name && (other === TABLE || other.startsWith(`${TABLE}-`))) await db.dropTable(other).catch(() => undefined);
    const indices = await table.listIndices();
    const vectorIndex = indices.find((index) => index.columns.includes("vector"))?.name;
    const textIndex = indices.find((index) => index.columns.includes("text"))?.name;
    const unindexedText = textIndex === undefined ? 0 : ((await table.indexStats(textIndex))?.numUnindexedRows ?? 0);
    // Facts are read back by id after every search: tables from before this index get it once.
    if (!indices.some((index) => index.columns.includes("id"))) await table.createIndex("id", { config: lancedb.Index.btree() });
    return new FactStore(dir, table, stored, options, vectorIndex, unindexedText);
  }

  /**
   * Stops this store's background work (the idle optimize) after what is queued; a store of the
   * same table opened afterwards (the plugin rebuilt with a changed config) is then its only writer.
   */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    await this.#queue;
    clearTimeout(this.#idleTimer);
    this.#keptVectors.clear();
  }

  /** Whether vector search works: the stored vectors are in the embedder's space (else `aleph memory reindex`). */
  get vectorsUsable(): boolean {
    return this.storedSpace.model === this.#space.model && this.storedSpace.dimension === this.#space.dimension;
  }

  /**
   * Runs writes one after another. Every LanceDB write makes a version and a small fragment, and
   * reads get slower with each: every OPTIMIZE_EVERY writes the table is compacted (and its
   * indexes brought up to date).
   */
  #write<T>(work: () => Promise<T>, keepsVectors = false): Promise<T> {
    const guarded = async () => {
      if (this.#retired) throw staleStore();
      // Only a bulk add keeps the kept vectors exact (stored-vectors.ts); one that fails may have written part of its rows.
      if (!keepsVectors) this.#keptVectors.clear();
      try {
        return await work();
      } catch (error) {
        this.#keptVectors.clear();
        throw error;
      }
    };
    const run = this.#queue.then(guarded, guarded).then(async (result) => {
      // A compaction that fails does not fail the write it follows (the row is written): it is
      // tried again after another OPTIMIZE_EVERY writes.
      if (++this.#writesSinceOptimize >= OPTIMIZE_EVERY) await this.optimize().catch(() => undefined);
      else this.#optimizeWhenIdle();
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the indexes up to date once writes pause for IDLE_OPTIMIZE_MS: rows the full-text
   * index has not taken in are searched unreliably by LanceDB 0.31 (unsorted, and after updates
   * sometimes not at all), so a fact added in a conversation is findable by keyword a moment
   * later, not only after OPTIMIZE_EVERY more writes. The timer never keeps a process alive.
   */
  #optimizeWhenIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#keptVectors.clear(); // an import has paused or ended: the memory goes back
      if (this.#retired || this.#writesSinceOptimize === 0) return;
      this.#queue = this.#queue.then(() => this.optimize()).catch(() => undefined);
    }, IDLE_OPTIMIZE_MS);
    this.#idleTimer.unref?.();
  }

  /**
   * Compacts the table's fragments, adds new rows to its indexes and drops versions older than a
   * minute (readers in flight keep theirs); then builds or retrains the vector index when the
   * policy says so (vector-index.ts).
   */
  async optimize(): Promise<void> {
    this.#writesSinceOptimize = 0;
    const unindexed = this.#unindexedText;
    await this.#table.optimize({ cleanupOlderThan: new Date(this.#now() - 60_000) });
    this.#unindexedText = Math.max(0, this.#unindexedText - unindexed); // rows written meanwhile stay counted
    if (!this.vectorsUsable) return; // vectors of another space wait for their reindex
    const current = this.#vectorIndex;
    const segments = current === undefined ? undefined : (await this.#table.indexStats(current))?.numIndices;
    const plan = planVectorIndex({ rows: await this.#table.countRows(), current, segments }, this.#vectorIndexAt);
    if (plan.action === "keep") return;
    const lancedb = await import("@lancedb/lancedb");
    // The new index is made before the old one goes: searches keep an index meanwhile.
    await this.#table.createIndex("vector", { config: lancedb.Index.ivfPq({ distanceType: "cosine" }), name: plan.name });
    this.#vectorIndex = plan.name;
    if (plan.replaces !== undefined && plan.replaces !== plan.name) await this.#table.dropIndex(plan.replaces);
  }

  /** The vector index's name (vector-index.ts), or undefined while vector searches scan the table. */
  get vectorIndex(): string | undefined {
    return this.#vectorIndex;
  }

  /**
   * The `limit` nearest rows to `vector` among those matching `where`, refined to exact distances;
   * a short result from the index is searched again flat (see the note at the top).
   */
  async #nearest(vector: ArrayLike<number>, where: string, limit: number, exact = false): Promise<Row[]> {
    const search = (flat: boolean) => {
      const query = this.#table.vectorSearch(Array.from(vector)).distanceType("cosine").where(where).limit(limit);
      return (flat ? query.bypassVectorIndex() : query.refineFactor(REFINE_FACTOR)).toArray() as Promise<Row[]>;
    };
    const indexed = this.#vectorIndex !== undefined && !exact;
    const rows = await search(!indexed);
    return indexed && rows.length < limit ? search(true) : rows;
  }

  /** Adds a fact (its vector in the embedder's space), or merges it into the fact it repeats. */
  add(input: FactInput, vector: ArrayLike<number>): Promise<{ id: string; outcome: AddOutcome }> {
    const scope = input.scope ?? "agent";
    const text = input.text.trim();
    if (text.length === 0) return Promise.reject(new AlephError("ALEPH_E_USAGE", "an empty fact cannot be remembered", { fix: "give the fact's text" }));
    if (vector.length !== this.#space.dimension) {
      return Promise.reject(new AlephError("ALEPH_E_USAGE", `the vector has ${vector.length} dimensions; the embedder's have ${this.#space.dimension}`));
    }
    if (this.#retired) return Promise.reject(staleStore());
    if (this.storedSpace.dimension !== this.#space.dimension) return Promise.reject(otherDimension(this.storedSpace, this.#space));
    const hash = contentHash(input.agentId, scope, text);
    return this.#write(async () => {
      const now = this.#now();
      const same = await this.#table.query().where(`content_hash = ${sqlString(hash)} AND invalidated_at IS NULL`).limit(1).toArray();
      if (same.length > 0) {
        await this.#touch(same[0] as Row, input, now);
        return { id: String((same[0] as Row).id), outcome: "duplicate" as const };
      }
      if (this.vectorsUsable) {
        const near = await this.#nearest(vector, `agent_id = ${sqlString(input.agentId)} AND scope = ${sqlString(scope)} AND invalidated_at IS NULL`, 1);
        const hit = near[0];
        if (hit && cosine(Array.from(hit.vector as ArrayLike<number>), vector) >= this.#nearDuplicate) {
          await this.#touch(hit, input, now);
          return { id: String(hit.id), outcome: "merged" as const };
        }
      }
      const id = this.#newId();
      await this.#table.add([newRow(id, input, scope, text, hash, vector, this.#space.model, now)]);
      this.#unindexedText++;
      return { id, outcome: "added" as const };
    });
  }

  /** A repeat of a stored fact, merged into its row. */
  async #touch(row: Row, input: FactInput, now: number): Promise<void> {
    const merged = mergeRepeat(row, input, now);
    await this.#table.update({
      where: `id = ${sqlString(String(row.id))}`,
      values: { access_count: merged.access_count as number, updated_at: now, sources: merged.sources as string, tags: merged.tags as string, importance: merged.importance as number, pinned: merged.pinned as boolean },
    });
  }

  /**
   * Adds many facts in one pass (`aleph memory import`): exact duplicates found by hash, in the
   * table and within the batch, with one query per 1000 hashes (each reads the column once); near
   * duplicates of the table by comparing each agent and scope's vectors in memory
   * (#nearDuplicatesOf), and within the batch in memory too (bulk-add.ts decides); every new row in
   * one write, every repeat merged in one more. Returns each input's outcome, in order.
   */
  addMany(items: BulkItem[]): Promise<AddResult[]> {
    for (const { input, vector } of items) {
      if (input.text.trim().length === 0) return Promise.reject(new AlephError("ALEPH_E_USAGE", "an empty fact cannot be remembered", { fix: "give the fact's text" }));
      if (vector.length !== this.#space.dimension) return Promise.reject(new AlephError("ALEPH_E_USAGE", `a vector has ${vector.length} dimensions; the embedder's have ${this.#space.dimension}`));
    }
    if (this.#retired) return Promise.reject(staleStore());
    if (this.storedSpace.dimension !== this.#space.dimension) return Promise.reject(otherDimension(this.storedSpace, this.#space));
    return this.#write(async () => {
      const now = this.#now();
      const prepared = prepareFacts(items);
      const stored = new Map<string, Row>(); // id → the row as it will be written back
      const byHash = new Map<string, string>(); // content hash → id
      const hashes = [...new Set(prepared.map((p) => p.hash))];
      for (let i = 0; i < hashes.length; i += 1000) {
        const chunk = hashes.slice(i, i + 1000).map(sqlString).join(", ");
        for (const row of (await this.#table.query().where(`content_hash IN (${chunk}) AND invalidated_at IS NULL`).toArray()) as Row[]) {
          stored.set(String(row.id), storedColumns(row));
          byHash.set(String(row.content_hash), String(row.id));
        }
      }
      // Near duplicates of the table: the nearest live fact of each new text, per agent and scope.
      const { groups, probes } = nearDuplicateCandidates(prepared, byHash);
      const nearest = new Map<number, Row>(); // index in prepared → nearest stored row
      if (this.vectorsUsable) {
        for (const [key, indexes] of groups) {
          const { input, scope } = prepared[indexes[0]!]!; // every fact of the group has its agent and scope
          for (const [at, row] of await this.#nearDuplicatesOf(key, indexes.map((i) => [i, probes.get(i)!, prepared[i]!.vector] as const), input.agentId, scope)) nearest.set(at, row);
        }
      }
      const plan = planBulkAdd(prepared, { stored, byHash, nearest, probes, threshold: this.#nearDuplicate, dimension: this.#space.dimension, model: this.#space.model, now, newId: this.#newId });
      if (plan.fresh.size > 0) await this.#table.add([...plan.fresh.values()]);
      this.#unindexedText += plan.fresh.size;
      if (plan.touched.length > 0) await this.#table.mergeInsert("id").whenMatchedUpdateAll().execute(plan.touched);
      for (const [key, ids] of plan.added) for (const id of ids) this.#keptVectors.append(key, id, plan.fresh.get(id)!.vector as Float32Array);
      return plan.outcomes;
    }, true);
  }

  /**
   * For each new vector of one agent and scope, the stored live fact it nearly repeats (cosine ≥
   * the threshold), by index: the stored facts compared in memory (near-duplicates.ts), read once
   * and kept for the next bulk add (stored-vectors.ts), or past NEAR_SCAN_FLOATS, the vector index
   * asked once per new vector.
   */
  async #nearDuplicatesOf(key: string, items: (readonly [number, Probe, ArrayLike<number>])[], agentId: string, scope: string): Promise<Map<number, Row>> {
    const where = `agent_id = ${sqlString(agentId)} AND scope = ${sqlString(scope)} AND invalidated_at IS NULL`;
    const found = new Map<number, Row>();
    let kept = this.#keptVectors.get(key);
    if (this.#vectorIndex !== undefined && (kept?.ids.length ?? (await this.#table.countRows(where))) * this.#space.dimension > NEAR_SCAN_FLOATS) {
      this.#keptVectors.forget(key);
      for (const [at, , vector] of items) {
        const hit = (await this.#nearest(vector, where, 1))[0];
        if (hit && cosine(Array.from(hit.vector as ArrayLike<number>), vector) >= this.#nearDuplicate) found.set(at, storedColumns(hit));
      }
      return found;
    }
    if (!kept) {
      kept = await readScopeVectors(this.#table, where, this.#space.dimension);
      this.#keptVectors.keep(key, kept);
    }
    const hits = new Map<number, string>(); // index in prepared → stored id
    for (const [at, probe] of items) {
      const hit = kept.vectors.nearest(probe, this.#nearDuplicate);
      if (hit) hits.set(at, kept.ids[hit.index]!);
    }
    if (hits.size === 0) return found;
    const wanted = [...new Set(hits.values())];
    const rows = new Map(((await this.#table.query().where(`id IN (${wanted.map(sqlString).join(", ")})`).limit(wanted.length).toArray()) as Row[]).map((row) => [String(row.id), storedColumns(row)]));
    for (const [at, id] of hits) if (rows.has(id)) found.set(at, rows.get(id)!);
    return found;
  }

  async get(id: string): Promise<Fact | undefined> {
    const rows = await this.#table.query().where(`id = ${sqlString(id)}`).limit(1).toArray();
    return rows[0] ? toFact(rows[0] as Row) : undefined;
  }

  /** Marks a fact forgotten (kept until purged); false when there is no such live fact. */
  forget(id: string): Promise<boolean> {
    return this.#write(async () => {
      const result = await this.#table.update({ where: `id = ${sqlString(id)} AND invalidated_at IS NULL`, values: { invalidated_at: this.#now() } });
      return result.rowsUpdated > 0;
    });
  }

  /** Live facts of an agent (not forgotten, not expired). */
  count(agentId: string): Promise<number> {
    return this.#table.countRows(this.#live(agentId));
  }

  /** An agent's live facts matching the filter, newest first. */
  async list(options: FactFilter & { agentId: string; limit: number }): Promise<Fact[]> {
    const rows = (await this.#table.query().where(this.#live(options.agentId, options)).select(["id", "created_at"]).toArray()) as Row[];
    const newest = rows.sort((a, b) => Number(b.created_at) - Number(a.created_at) || (String(a.id) < String(b.id) ? 1 : -1)).slice(0, options.limit);
    return this.getMany(newest.map((r) => String(r.id)));
  }

  /** Pins (or unpins) a live fact: pinned facts do not fade and are never evicted. False when there is no such fact. */
  pin(id: string, pinned = true): Promise<boolean> {
    return this.#write(async () => (await this.#table.update({ where: `id = ${sqlString(id)} AND invalidated_at IS NULL`, values: { pinned, updated_at: this.#now() } })).rowsUpdated > 0);
  }

  /**
   * Forgets the lowest-value facts of an agent beyond `maxFacts` (never pinned or evergreen ones):
   * value is importance, faded by age and raised by use. Returns the ids forgotten, lowest first.
   */
  evictOver(agentId: string, maxFacts: number): Promise<string[]> {
    return this.#write(async () => {
      const live = (await this.#table
        .query()
        .where(this.#live(agentId))
        .select(["id", "importance", "created_at", "last_accessed_at", "access_count", "pinned", "evergreen"])
        .toArray()) as Row[];
      const excess = live.length - maxFacts;
      if (excess <= 0) return [];
      const now = this.#now();
      const value = (r: Row) => {
        const ageDays = Math.max(0, now - Number(r.last_accessed_at)) / 86_400_000;
        return Number(r.importance) * 0.5 ** (ageDays / 90) * (1 + Math.log1p(Number(r.access_count)));
      };
      const victims = live
        .filter((r) => !r.pinned && !r.evergreen)
        .sort((a, b) => value(a) - value(b) || Number(a.created_at) - Number(b.created_at))
        .slice(0, excess)
        .map((r) => String(r.id));
      for (let i = 0; i < victims.length; i += 200) {
        await this.#table.update({ where: `id IN (${victims.slice(i, i + 200).map(sqlString).join(", ")})`, values: { invalidated_at: now } });
      }
      return victims;
    });
  }

  /** Deletes for good the facts forgotten before `before` (ms); returns how many. */
  purgeForgotten(before: number): Promise<number> {
    return this.#write(async () => {
      const where = `invalidated_at IS NOT NULL AND invalidated_at < ${before}`;
      const n = await this.#table.countRows(where);
      if (n > 0) await this.#table.delete(where);
      return n;
    });
  }

  /** What an agent's memory holds, for `aleph memory stats`. */
  async stats(agentId: string): Promise<MemoryStats> {
    const rows = (await this.#table.query().where(`agent_id = ${sqlString(agentId)}`).select(["category", "pinned", "invalidated_at", "expires_at"]).toArray()) as Row[];
    const now = this.#now();
    const live = rows.filter((r) => r.invalidated_at === null && (r.expires_at === null || Number(r.expires_at) > now));
    const byCategory: Record<string, number> = {};
    for (const r of live) byCategory[String(r.category)] = (byCategory[String(r.category)] ?? 0) + 1;
    return { live: live.length, forgotten: rows.filter((r) => r.invalidated_at !== null).length, pinned: live.filter((r) => r.pinned).length, byCategory, space: this.storedSpace, vectorsUsable: this.vectorsUsable };
  }

  /** The filter of live facts (not forgotten, not expired) matching `filter`; always applied before a search. */
  #live(agentId: string, filter: FactFilter = {}): string {
    const now = this.#now();
    const parts = [`agent_id = ${sqlString(agentId)}`, "invalidated_at IS NULL", `(expires_at IS NULL OR expires_at > ${now})`];
    if (filter.scope !== undefined) parts.push(`scope = ${sqlString(filter.scope)}`);
    if (filter.category !== undefined) parts.push(`category = ${sqlString(filter.category)}`);
    // Tags are a JSON array of strings: a tag matches as its quoted JSON form.
    for (const tag of filter.tags ?? []) parts.push(`tags LIKE ${sqlString(`%${JSON.stringify(tag).replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`);
    return parts.join(" AND ");
  }

  /**
   * The vector search's candidates for a query: the `limit` nearest live facts of the agent, the
   * filter applied before the search (so `limit` is reached whenever that many facts match).
   */
  async vectorCandidates(vector: ArrayLike<number>, options: CandidateQuery): Promise<RankCandidate[]> {
    if (!this.vectorsUsable) return [];
    const rows = await this.#nearest(vector, this.#live(options.agentId, options), options.limit, options.exact);
    return rows.map((row) => ({ ...candidateOf(row), vectorScore: 1 - Number(row._distance) }));
  }

  /** The full-text search's candidates (BM25 over the text), filtered before the search like the vector ones. */
  async keywordCandidates(query: string, options: CandidateQuery): Promise<RankCandidate[]> {
    // A double quote makes a phrase query, which this index cannot answer (it fails the search).
    const words = query.replace(/"/g, " ").trim();
    if (words.length === 0) return [];
    // Rows not yet in the index come back unsorted after the indexed ones: read them too, then sort.
    const extra = Math.min(this.#unindexedText, MAX_UNINDEXED_READ);
    const rows = (await this.#table.search(words, "fts").where(this.#live(options.agentId, options)).limit(options.limit + extra).toArray()) as Row[];
    if (extra > 0) rows.sort((a, b) => Number(b._score) - Number(a._score));
    return rows.slice(0, options.limit).map((row) => ({ ...candidateOf(row), keywordScore: Number(row._score) }));
  }

  /** Live facts matching the filter, without a query: what fills a result when the searches found too few. */
  async listCandidates(options: CandidateQuery): Promise<RankCandidate[]> {
    const rows = (await this.#table.query().where(this.#live(options.agentId, options)).limit(options.limit).toArray()) as Row[];
    return rows.map(candidateOf);
  }

  /** Facts by id, in the order asked (ids with no fact left out). */
  async getMany(ids: string[]): Promise<Fact[]> {
    if (ids.length === 0) return [];
    const rows = (await this.#table.query().where(`id IN (${ids.map(sqlString).join(", ")})`).limit(ids.length).toArray()) as Row[];
    const byId = new Map(rows.map((r) => [String(r.id), toFact(r)]));
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  /** The ids of every fact (of one agent, or all; forgotten ones too when asked), oldest first. */
  async ids(options: { agentId?: string; includeForgotten?: boolean } = {}): Promise<string[]> {
    const parts = [...(options.agentId !== undefined ? [`agent_id = ${sqlString(options.agentId)}`] : []), ...(options.includeForgotten ? [] : ["invalidated_at IS NULL"])];
    let query = this.#table.query().select(["id"]);
    if (parts.length > 0) query = query.where(parts.join(" AND "));
    return ((await query.toArray()) as Row[]).map((r) => String(r.id)).sort(); // ids sort by time (ULIDs)
  }

  /**
   * Re-embeds every row (forgotten ones too: nothing is dropped) into a new table in `space`, then
   * switches facts.json to it and drops the old table. Until the switch the old table serves
   * reads; a crash before it leaves the old table in use (the half-built one goes on next open).
   * Writes wait for it (the write queue); those made through this store afterwards are refused as
   * stale, so none lands in the table that was left.
   */
  rebuild(space: EmbeddingSpace, embed: (texts: string[]) => Promise<ArrayLike<number>[]>, progress: (done: number, total: number) => void): Promise<void> {
    return this.#write(async () => {
      const lancedb = await import("@lancedb/lancedb");
      const db = await lancedb.connect(this.dir);
      const ids = await this.ids({ includeForgotten: true });
      const name = `${TABLE}-${this.#now().toString(36)}`;
      const table = await createFactsTable(db, name, space.dimension);
      progress(0, ids.length);
      for (let i = 0; i < ids.length; i += REBUILD_PAGE) {
        const page = ids.slice(i, i + REBUILD_PAGE);
        const rows = ((await this.#table.query().where(`id IN (${page.map(sqlString).join(", ")})`).limit(page.length).toArray()) as Row[]).map(storedColumns);
        const vectors = await embed(rows.map((r) => String(r.text)));
        rows.forEach((row, j) => {
          if (vectors[j]?.length !== space.dimension) throw new AlephError("ALEPH_E_EMBEDDINGS", `the embedder returned ${vectors[j]?.length ?? "no"} dimensions for a fact, not ${space.dimension}`);
          row.vector = storedVector(vectors[j]!);
          row.embedding_model = space.model;
        });
        if (rows.length > 0) await table.add(rows);
        progress(Math.min(ids.length, i + page.length), ids.length);
      }
      await table.optimize();
      const old = this.#table.name;
      await writeMeta(metaFileOf(this.dir), space, name);
      this.#retired = true;
      await db.dropTable(old).catch(() => undefined); // kept if it cannot go now: the next open drops it
    });
  }
}
