import type * as LanceDb from "@lancedb/lancedb";
import { UnitVectors } from "./near-duplicates.js";

/*
 * The live vectors of each agent and scope a bulk add compared its facts with, kept for the next
 * call: an import sends 1,000 facts a call, and reading the agent's vectors again for each (and
 * laying them out) cost more than comparing them. A FactStore is its table's only writer, so it
 * keeps these exact: each bulk add appends the rows it adds (its merges change no vector and
 * forget nothing), and every other write — an add, forget, pin, evict, purge, reindex — or a bulk
 * add that fails drops them all. They go too once writes pause (the idle optimize): they serve a
 * run of imports, never hold memory in a quiet process.
 */

/**
 * Floats of stored vectors (80 MB: 52k facts at 384 dimensions) up to which a bulk add reads an
 * agent's facts and compares the new ones with them in memory; past it, it asks the vector index
 * once per new fact (a search of ~5–20 ms), which bounds the memory. Without an index (below
 * VECTOR_INDEX_AT rows) it always reads them: a flat search per fact would cost far more. The
 * kept vectors of all agents and scopes are bounded by the same.
 */
export const NEAR_SCAN_FLOATS = 20_000_000;

/** An agent and scope's live vectors (unit length) and their facts' ids, in the same order. */
export interface ScopeVectors {
  vectors: UnitVectors;
  ids: string[];
}

/** The live vectors of the facts matching `where` (one agent and scope), read in one query. */
export async function readScopeVectors(table: LanceDb.Table, where: string, dimension: number): Promise<ScopeVectors> {
  const stored = await table.query().where(where).select(["id", "vector"]).toArrow();
  const ids = stored.getChild("id")!;
  const column = stored.getChild("vector")!;
  const vectors = new UnitVectors(dimension, stored.numRows);
  const out: string[] = new Array<string>(stored.numRows);
  for (let r = 0; r < stored.numRows; r++) {
    vectors.push(column.get(r)!.toArray() as Float32Array);
    out[r] = String(ids.get(r));
  }
  return { vectors, ids: out };
}

/** ScopeVectors kept between bulk adds, by agent and scope (bulk-add.ts scopeKey), within NEAR_SCAN_FLOATS in all. */
export class KeptVectors {
  readonly #groups = new Map<string, ScopeVectors>();
  #floats = 0;

  get(key: string): ScopeVectors | undefined {
    return this.#groups.get(key);
  }

  /** Keeps `group` for the next bulk add, when it fits. */
  keep(key: string, group: ScopeVectors): void {
    this.forget(key);
    const floats = group.ids.length * group.vectors.dimension;
    if (this.#floats + floats > NEAR_SCAN_FLOATS) return;
    this.#groups.set(key, group);
    this.#floats += floats;
  }

  /** A row just added to the table, appended to its group if that is kept (else it is read with the rest next time). */
  append(key: string, id: string, vector: ArrayLike<number>): void {
    const group = this.#groups.get(key);
    if (!group) return;
    if (this.#floats + group.vectors.dimension > NEAR_SCAN_FLOATS) return this.forget(key);
    group.vectors.push(vector);
    group.ids.push(id);
    this.#floats += group.vectors.dimension;
  }

  forget(key: string): void {
    const group = this.#groups.get(key);
    if (!group) return;
    this.#floats -= group.ids.length * group.vectors.dimension;
    this.#groups.delete(key);
  }

  clear(): void {
    this.#groups.clear();
    this.#floats = 0;
  }

  /** How many vectors are kept (for tests). */
  get size(): number {
    let n = 0;
    for (const group of this.#groups.values()) n += group.ids.length;
    return n;
  }
}
