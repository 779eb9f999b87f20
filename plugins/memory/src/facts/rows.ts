import type { Fact, FactInput } from "@aleph/plugin-sdk";
import type { RankCandidate } from "../search/rank.js";

/*
 * A fact as a row of the facts table: the columns, and the moves between rows and facts. Tags
 * and sources are JSON text: simple to merge, and LanceDB filters them with LIKE when needed.
 */

/** A row as LanceDB reads and writes it. */
export type Row = Record<string, unknown>;

/** A string as an SQL literal for LanceDB's `where` (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The columns, in order. */
export async function schemaFor(dimension: number) {
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

/**
 * A vector as the table stores it: a Float32Array copy, which LanceDB turns into its Arrow column
 * with one copy (an array of numbers costs a copy into the array and a conversion back: ~2× the
 * time of a 1,000-row add at 384 dimensions). A copy, so a caller's later change cannot reach the row.
 */
export function storedVector(vector: ArrayLike<number> | Iterable<number>): Float32Array {
  return Float32Array.from(vector as ArrayLike<number>);
}

/** A new fact's row. */
export function newRow(id: string, input: FactInput, scope: string, text: string, hash: string, vector: ArrayLike<number>, model: string, now: number): Row {
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
    vector: storedVector(vector),
  };
}

/** `row` (a stored row, or a new one) with a repeat of it merged in: counted, sources and tags joined, the higher importance kept. */
export function mergeRepeat(row: Row, input: FactInput, now: number): Row {
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
export function storedColumns(row: Row): Row {
  const { _distance, _score, _rowid, query_index, ...rest } = row;
  void _distance;
  void _score;
  void _rowid;
  void query_index;
  return { ...rest, vector: storedVector(rest.vector as Iterable<number>) };
}

export function toFact(row: Row): Fact {
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

/** What ranking needs of a row. */
export function candidateOf(row: Row): RankCandidate {
  return {
    id: String(row.id),
    importance: Number(row.importance),
    createdAt: Number(row.created_at),
    pinned: Boolean(row.pinned),
    evergreen: Boolean(row.evergreen),
    vector: row.vector as ArrayLike<number>,
  };
}

/** A weight in [0, 1]; one that is no number is the middle. */
export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0.5;
}
