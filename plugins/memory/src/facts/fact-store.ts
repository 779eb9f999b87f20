import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as LanceDb from "@lancedb/lancedb";
import { AlephError, writeFileAtomic, type Fact, type FactFilter, type FactInput, type MemoryStats } from "@aleph/plugin-sdk";
import { cosine } from "../embedders/hash-embedder.js";
import type { RankCandidate } from "../search/rank.js";
import { contentHash, createFactIdFactory } from "./fact-identity.js";
import { probeOf, UnitVectors, type Probe } from "./near-duplicates.js";
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
 */

export type AddOutcome = "added" | "duplicate" | "merged";

export interface CandidateQuery extends FactFilter {
  agentId: string;
  limit: number;
  /** A flat scan even when the table has a vector index: the ground truth for recall (bench/memory-search.mjs). */
  exact?: boolean;
}

/** The embedding space the table's vectors are in, recorded beside it (facts.json). */
export interface EmbeddingSpace {
  model: string;
  dimension: number;
}

/** facts.json: the space and the table in use (a reindex builds a new table, then switches this). */
interface StoredMeta extends EmbeddingSpace {
  table: string;
}

export type { Fact, FactFilter, FactInput };

const TABLE = "facts";
const OPTIMIZE_EVERY = 32;
/**
 * Floats of stored vectors (80 MB: 52k facts at 384 dimensions) up to which a bulk add reads an
 * agent's facts and compares the new ones with them in memory (~8 ns a pair); past it, it asks the
 * vector index once per new fact (a search of ~5–20 ms), which bounds the memory. Without an index
 * (below VECTOR_INDEX_AT rows) it always reads them: a flat search per fact would cost far more.
 */
const NEAR_SCAN_FLOATS = 20_000_000;
const META_FILE = "facts.json";
/** Unindexed rows a keyword search reads besides its limit, at most (past it, an optimize is due anyway). */
const MAX_UNINDEXED_READ = 5_000;
/** Quiet time after the last write before the indexes are brought up to date. */
const IDLE_OPTIMIZE_MS = 1_000;
/** Rows re-embedded per step of a reindex (one embedder call each). */
const REBUILD_PAGE = 256;

type Row = Record<string, unknown>;

/** A string as an SQL literal for LanceDB's `where` (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function toFact(row: Row): Fact {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(row.id),
    agentId: String(row.agent_id),
    scope: String(row.scope),
    text: String(row.text),
    contentHash: String(row.content_hash),
    category: String(row.category),
    tags: JSON.parse(String(row.tags)) as string[],
    importance: Number(row.importance),
    confidence: Number(row.confidence),
    pinned: Boolean(row.pinned),
    evergreen: Boolean(row.evergreen),
    sources: JSON.parse(String(row.sources)) as string[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastAccessedAt: Number(row.last_accessed_at),
    accessCount: Number(row.access_count),
    expiresAt: num(row.expires_at),
    invalidatedAt: num(row.invalidated_at),
    supersededBy: row.superseded_by === null || row.superseded_by === undefined ? null : String(row.superseded_by),
    embeddingModel: String(row.embedding_model),
  };
}

/** The columns, in order (tags and sources as JSON text: simple to merge, and LanceDB filters them with LIKE when needed). */
async function schemaFor(dimension: number) {
  const arrow = await import("apache-arrow");
  const { Field, Schema, Utf8, Float32, Float64, Bool, FixedSizeList } = arrow;
  const text = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
  const time = (name: string, nullable = false) => new Field(name, new Float64(), nullable);
  return new Schema([
    text("id"),
    text("agent_id"),
    text("scope"),
    text("text"),
    text("content_hash"),
    text("category"),
    text("tags"),
    new Field("importance", new Float32(), false),
    new Field("confidence", new Float32(), false),
    new Field("pinned", new Bool(), false),
    new Field("evergreen", new Bool(), false),
    text("sources"),
    time("created_at"),
    time("updated_at"),
    time("last_accessed_at"),
    new Field("access_count", new Float64(), false),
    time("expires_at", true),
    time("invalidated_at", true),
    text("superseded_by", true),
    text("embedding_model"),
    new Field("vector", new FixedSizeList(dimension, new Field("item", new Float32(), true)), false),
  ]);
}

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
    const metaFile = join(dirname(dir), META_FILE);
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
      await writeFileAtomic(metaFile, `${JSON.stringify({ ...space, table: name } satisfies StoredMeta)}\n`);
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
  #write<T>(work: () => Promise<T>): Promise<T> {
    const guarded = () => (this.#retired ? Promise.reject(staleStore()) : work());
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
   * table and within the batch, with one query per 1000 hashes (each reads the column once); near duplicates of the table by
   * one read of each agent and scope's vectors compared in memory (#nearDuplicatesOf), and within
   * the batch in memory too; every new row in one write, every repeat merged in one more. Returns
   * each input's outcome, in order.
   */
  addMany(items: { input: FactInput; vector: ArrayLike<number> }[]): Promise<{ id: string; outcome: AddOutcome }[]> {
    for (const { input, vector } of items) {
      if (input.text.trim().length === 0) return Promise.reject(new AlephError("ALEPH_E_USAGE", "an empty fact cannot be remembered", { fix: "give the fact's text" }));
      if (vector.length !== this.#space.dimension) return Promise.reject(new AlephError("ALEPH_E_USAGE", `a vector has ${vector.length} dimensions; the embedder's have ${this.#space.dimension}`));
    }
    if (this.#retired) return Promise.reject(staleStore());
    if (this.storedSpace.dimension !== this.#space.dimension) return Promise.reject(otherDimension(this.storedSpace, this.#space));
    return this.#write(async () => {
      const now = this.#now();
      const prepared = items.map(({ input, vector }) => {
        const scope = input.scope ?? "agent";
        const text = input.text.trim();
        return { input, vector, scope, text, hash: contentHash(input.agentId, scope, text) };
      });
      const stored = new Map<string, Row>(); // id → the row as it will be written back
      const byHash = new Map<string, string>(); // content hash → id (stored or new)
      const hashes = [...new Set(prepared.map((p) => p.hash))];
      for (let i = 0; i < hashes.length; i += 1000) {
        const chunk = hashes.slice(i, i + 1000).map(sqlString).join(", ");
        for (const row of (await this.#table.query().where(`content_hash IN (${chunk}) AND invalidated_at IS NULL`).toArray()) as Row[]) {
          stored.set(String(row.id), storedColumns(row));
          byHash.set(String(row.content_hash), String(row.id));
        }
      }
      // Near duplicates of the table: the nearest live fact of each new text, per agent and scope.
      const nearest = new Map<number, Row>(); // index in prepared → nearest stored row
      const probes = new Map<number, Probe>(); // index in prepared → its vector, ready to compare
      const groups = new Map<string, number[]>();
      prepared.forEach((p, i) => {
        if (byHash.has(p.hash)) return;
        const key = JSON.stringify([p.input.agentId, p.scope]);
        groups.set(key, [...(groups.get(key) ?? []), i]);
        probes.set(i, probeOf(p.vector));
      });
      if (this.vectorsUsable) {
        for (const [key, indexes] of groups) {
          const [agentId, scope] = JSON.parse(key) as [string, string];
          for (const [at, row] of await this.#nearDuplicatesOf(indexes.map((i) => [i, probes.get(i)!, prepared[i]!.vector] as const), agentId, scope)) nearest.set(at, row);
        }
      }
      const batch = new Map<string, { vectors: UnitVectors; ids: string[] }>(); // agent and scope → the batch's new rows so far
      const sameInBatch = (p: (typeof prepared)[number], i: number): Row | undefined => {
        const group = batch.get(JSON.stringify([p.input.agentId, p.scope]));
        const hit = group && probes.has(i) ? group.vectors.nearest(probes.get(i)!, this.#nearDuplicate, true) : undefined;
        return hit ? fresh.get(group!.ids[hit.index]!) : undefined;
      };
      const fresh = new Map<string, Row>(); // id → new row
      const outcomes = prepared.map((p, i): { id: string; outcome: AddOutcome } => {
        const same = byHash.get(p.hash);
        if (same !== undefined) {
          const target = fresh.get(same) ?? stored.get(same)!;
          (fresh.has(same) ? fresh : stored).set(same, mergeRepeat(target, p.input, now));
          return { id: same, outcome: "duplicate" };
        }
        const near = nearest.get(i) ?? sameInBatch(p, i);
        if (near) {
          const id = String(near.id);
          const target = fresh.get(id) ?? stored.get(id) ?? near;
          (fresh.has(id) ? fresh : stored).set(id, mergeRepeat(target, p.input, now));
          return { id, outcome: "merged" };
        }
        const id = this.#newId();
        fresh.set(id, newRow(id, p.input, p.scope, p.text, p.hash, p.vector, this.#space.model, now));
        byHash.set(p.hash, id);
        if (probes.has(i)) {
          const key = JSON.stringify([p.input.agentId, p.scope]);
          const group = batch.get(key) ?? { vectors: new UnitVectors(this.#space.dimension), ids: [] };
          batch.set(key, group);
          group.vectors.push(p.vector);
          group.ids.push(id);
        }
        return { id, outcome: "added" };
      });
      if (fresh.size > 0) await this.#table.add([...fresh.values()]);
      this.#unindexedText += fresh.size;
      const touched = [...stored.values()].filter((row) => row.updated_at === now);
      if (touched.length > 0) await this.#table.mergeInsert("id").whenMatchedUpdateAll().execute(touched);
      return outcomes;
    });
  }

  /**
   * For each new vector of one agent and scope, the stored live fact it nearly repeats (cosine ≥
   * the threshold), by index: the stored facts read once and compared in memory
   * (near-duplicates.ts), or past NEAR_SCAN_FLOATS, the vector index asked once per new vector.
   */
  async #nearDuplicatesOf(items: (readonly [number, Probe, ArrayLike<number>])[], agentId: string, scope: string): Promise<Map<number, Row>> {
    const where = `agent_id = ${sqlString(agentId)} AND scope = ${sqlString(scope)} AND invalidated_at IS NULL`;
    const found = new Map<number, Row>();
    if (this.#vectorIndex !== undefined && (await this.#table.countRows(where)) * this.#space.dimension > NEAR_SCAN_FLOATS) {
      for (const [at, , vector] of items) {
        const hit = (await this.#nearest(vector, where, 1))[0];
        if (hit && cosine(Array.from(hit.vector as ArrayLike<number>), vector) >= this.#nearDuplicate) found.set(at, storedColumns(hit));
      }
      return found;
    }
    const stored = await this.#table.query().where(where).select(["id", "vector"]).toArrow();
    const ids = stored.getChild("id")!;
    const column = stored.getChild("vector")!;
    const vectors = new UnitVectors(this.#space.dimension, stored.numRows);
    for (let r = 0; r < stored.numRows; r++) vectors.push(column.get(r)!.toArray() as Float32Array);
    const hits = new Map<number, string>(); // index in prepared → stored id
    for (const [at, probe] of items) {
      const hit = vectors.nearest(probe, this.#nearDuplicate);
      if (hit) hits.set(at, String(ids.get(hit.index)));
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
          row.vector = Array.from(vectors[j]!);
          row.embedding_model = space.model;
        });
        if (rows.length > 0) await table.add(rows);
        progress(Math.min(ids.length, i + page.length), ids.length);
      }
      await table.optimize();
      const old = this.#table.name;
      await writeFileAtomic(join(dirname(this.dir), META_FILE), `${JSON.stringify({ ...space, table: name } satisfies StoredMeta)}\n`);
      this.#retired = true;
      await db.dropTable(old).catch(() => undefined); // kept if it cannot go now: the next open drops it
    });
  }
}

/** Why a fact cannot be added while vector search is paused by a change of dimension: LanceDB would silently cut (or pad) its vector to the table's. */
function otherDimension(stored: EmbeddingSpace, space: EmbeddingSpace): AlephError {
  return new AlephError("ALEPH_E_EMBEDDINGS", `the facts table holds ${stored.dimension}-dimension vectors (${stored.model}); the embedder gives ${space.dimension} (${space.model})`, {
    fix: "run `aleph memory reindex` to embed the facts again with the embedder, or set [memory] back to the embedder they were made with",
  });
}

/** A new fact's row. */
function newRow(id: string, input: FactInput, scope: string, text: string, hash: string, vector: ArrayLike<number>, model: string, now: number): Row {
  return {
    id,
    agent_id: input.agentId,
    scope,
    text,
    content_hash: hash,
    category: input.category ?? "fact",
    tags: JSON.stringify([...new Set(input.tags ?? [])]),
    importance: clamp01(input.importance ?? 0.5),
    confidence: clamp01(input.confidence ?? 1),
    pinned: input.pinned ?? false,
    evergreen: input.evergreen ?? false,
    sources: JSON.stringify(input.source ? [input.source] : []),
    created_at: input.createdAt ?? now,
    updated_at: now,
    last_accessed_at: now,
    access_count: 0,
    expires_at: input.expiresAt ?? null,
    invalidated_at: null,
    superseded_by: null,
    embedding_model: model,
    vector: Array.from(vector),
  };
}

/** `row` (a stored row, or a new one) with a repeat of it merged in: counted, sources and tags joined, the higher importance kept. */
function mergeRepeat(row: Row, input: FactInput, now: number): Row {
  const sources = [...new Set([...(JSON.parse(String(row.sources)) as string[]), ...(input.source ? [input.source] : [])])];
  const tags = [...new Set([...(JSON.parse(String(row.tags)) as string[]), ...(input.tags ?? [])])];
  return {
    ...row,
    access_count: Number(row.access_count) + 1,
    updated_at: now,
    sources: JSON.stringify(sources),
    tags: JSON.stringify(tags),
    importance: Math.max(Number(row.importance), clamp01(input.importance ?? 0)),
    pinned: Boolean(row.pinned) || (input.pinned ?? false),
  };
}

/** A row as read, without the columns a search adds, ready to be written back. */
function storedColumns(row: Row): Row {
  const { _distance, _score, _rowid, query_index, ...rest } = row;
  void _distance;
  void _score;
  void _rowid;
  void query_index;
  return { ...rest, vector: Array.from(rest.vector as ArrayLike<number>) };
}

function candidateOf(row: Row): RankCandidate {
  return {
    id: String(row.id),
    importance: Number(row.importance),
    createdAt: Number(row.created_at),
    pinned: Boolean(row.pinned),
    evergreen: Boolean(row.evergreen),
    vector: row.vector as ArrayLike<number>,
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0.5;
}

function readMeta(file: string): StoredMeta | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<StoredMeta>;
    if (typeof parsed.model === "string" && Number.isInteger(parsed.dimension)) {
      return { model: parsed.model, dimension: parsed.dimension!, table: typeof parsed.table === "string" && /^facts(-[a-z0-9]+)?$/.test(parsed.table) ? parsed.table : TABLE };
    }
  } catch {
    // missing or unreadable: the caller decides
  }
  return undefined;
}

/** An empty facts table with its scalar and full-text indexes. */
async function createFactsTable(db: LanceDb.Connection, name: string, dimension: number): Promise<LanceDb.Table> {
  const lancedb = await import("@lancedb/lancedb");
  const table = await db.createEmptyTable(name, await schemaFor(dimension));
  await table.createIndex("agent_id", { config: lancedb.Index.bitmap() });
  // Every search reads its facts back by id.
  await table.createIndex("id", { config: lancedb.Index.btree() });
  // Full-text search needs its index; rows added later are searched unindexed until an optimize.
  await table.createIndex("text", { config: lancedb.Index.fts() });
  return table;
}

/** Thrown by a store a reindex replaced: the caller opens the new one and tries again. */
export function staleStore(): AlephError {
  return new AlephError("ALEPH_E_STALE", "the facts table was reindexed while this write waited", { fix: "try again: the new table is open" });
}

export function isStaleStore(error: unknown): boolean {
  return error instanceof AlephError && error.code === "ALEPH_E_STALE";
}
