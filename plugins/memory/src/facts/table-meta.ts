import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as LanceDb from "@lancedb/lancedb";
import { AlephError, writeFileAtomic } from "@aleph/plugin-sdk";
import { schemaFor } from "./rows.js";

/*
 * Which facts table is in use and what space its vectors are in: facts.json beside the tables
 * (memory/facts.json). A reindex builds a new table, then switches this record to it, so the
 * record decides which table a store opens; the errors of a space or table that changed are here.
 */

/** The embedding space the table's vectors are in, recorded beside it (facts.json). */
export interface EmbeddingSpace {
  model: string;
  dimension: number;
}

/** facts.json: the space and the table in use. */
export interface StoredMeta extends EmbeddingSpace {
  table: string;
}

/** The first facts table's name; a reindex's are `facts-<time>`. */
export const TABLE = "facts";
const META_FILE = "facts.json";

/** facts.json for the tables in `dir` (memory/facts.lance): it sits beside that folder. */
export function metaFileOf(dir: string): string {
  return join(dirname(dir), META_FILE);
}

export function readMeta(file: string): StoredMeta | undefined {
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

/** Records `table` as the one in use, its vectors in `space`. */
export async function writeMeta(file: string, space: EmbeddingSpace, table: string): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ ...space, table } satisfies StoredMeta)}\n`);
}

/** An empty facts table with its scalar and full-text indexes. */
export async function createFactsTable(db: LanceDb.Connection, name: string, dimension: number): Promise<LanceDb.Table> {
  const lancedb = await import("@lancedb/lancedb");
  const table = await db.createEmptyTable(name, await schemaFor(dimension));
  await table.createIndex("agent_id", { config: lancedb.Index.bitmap() });
  // Every search reads its facts back by id.
  await table.createIndex("id", { config: lancedb.Index.btree() });
  // Full-text search needs its index; rows added later are searched unindexed until an optimize.
  await table.createIndex("text", { config: lancedb.Index.fts() });
  return table;
}

/** Why a fact cannot be added while vector search is paused by a change of dimension: LanceDB would silently cut (or pad) its vector to the table's. */
export function otherDimension(stored: EmbeddingSpace, space: EmbeddingSpace): AlephError {
  return new AlephError("ALEPH_E_EMBEDDINGS", `the facts table holds ${stored.dimension}-dimension vectors (${stored.model}); the embedder gives ${space.dimension} (${space.model})`, {
    fix: "run `aleph memory reindex` to embed the facts again with the embedder, or set [memory] back to the embedder they were made with",
  });
}

/** Thrown by a store a reindex replaced: the caller opens the new one and tries again. */
export function staleStore(): AlephError {
  return new AlephError("ALEPH_E_STALE", "the facts table was reindexed while this write waited", { fix: "try again: the new table is open" });
}

export function isStaleStore(error: unknown): boolean {
  return error instanceof AlephError && error.code === "ALEPH_E_STALE";
}
