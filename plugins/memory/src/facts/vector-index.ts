/*
 * When the facts table gets a vector index, and how it is searched (FactStore carries it out at
 * each optimize). A pure planner: the store, its tests and the benches ask the same function.
 *
 * Below VECTOR_INDEX_AT rows there is none: every vector search is an exact flat scan. From there
 * an IVF_PQ index (cosine, LanceDB's default partitions), trained on the rows the table has then.
 * Each compaction (FactStore.optimize) indexes the rows added since as a new segment of the index
 * (LanceDB merges segments only when a partition splits), and every segment costs a search ~1 ms:
 * so the index is trained again past MAX_SEGMENTS segments, and once the table has grown
 * RETRAIN_GROWTH-fold (its partitions were sized for the smaller table). Searches refine the PQ
 * candidates with the stored vectors (REFINE_FACTOR): distances are exact, and at 100k rows the
 * 40 nearest (a search's 4×k) are 0.993 of the flat scan's (0.979 refining 10×, 0.65 without).
 *
 * Measured on 2 shared cores, 384-dim hash vectors of generated facts (bench/memory-facts.mjs),
 * one agent's 40 nearest: a flat scan takes ~31 ms at 10k rows, ~85 ms at 30k, ~240–290 ms at
 * 100k; the index ~6, ~9 and ~19 ms (refining 20×). Training takes ~6 s at 10k rows, ~17 s at 30k,
 * ~30 s at 100k (up to 3× that on a busy machine), once, in the write queue; a compaction that
 * adds rows to it ~0.1 s. The threshold is where a flat scan passes ~50 ms a search; below it the
 * index would save little and cost a training. IVF_HNSW_SQ searched ~2× faster but its recall@10
 * stayed at 0.95–0.96 whatever `ef`; IVF_FLAT saved too little (~140 ms at 100k rows). √rows
 * partitions (numPartitions set; left to itself LanceDB 0.31 makes fewer, judging by its 3× faster
 * training) kept one segment, but trained 3× longer and needed more than 20 probes for recall@10
 * ≥ 0.95 (0.935 at 100k rows). bench/memory-search.mjs gates the result: at 100k facts, ≥ 5× a
 * flat scan with recall@10 ≥ 0.95.
 */

/** Rows from which the table gets a vector index. */
export const VECTOR_INDEX_AT = 20_000;
/** IVF_PQ trains 256 centroids per sub-vector: it needs at least this many rows. */
export const MIN_INDEXED_ROWS = 256;
/** The index is trained again when the table has this many times the rows it was trained on. */
export const RETRAIN_GROWTH = 4;
/** Segments (the trained index plus one per compaction that indexed new rows) past which it is trained again. */
export const MAX_SEGMENTS = 16;
/** An index search re-scores limit × this many candidates with their stored vectors. */
export const REFINE_FACTOR = 20;

const PREFIX = "vector_ivf_pq_";

/** Our index's name records the rows it was trained on, so a reopened store knows when to train again. */
export function vectorIndexName(rows: number): string {
  return `${PREFIX}${rows}`;
}

/** The rows an index of ours was trained on; undefined for an index made by someone else. */
export function trainedRows(name: string): number | undefined {
  const match = /^vector_ivf_pq_(\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export type VectorIndexPlan = { action: "keep"; reason: string } | { action: "build"; name: string; replaces?: string; reason: string };

/** The table as the planner sees it: its rows, and its vector index (name and segments), if any. */
export interface VectorIndexState {
  rows: number;
  current?: string | undefined;
  segments?: number | undefined;
}

/** What to do with the table's vector index. */
export function planVectorIndex({ rows, current, segments = 1 }: VectorIndexState, threshold = VECTOR_INDEX_AT): VectorIndexPlan {
  const at = Math.max(threshold, MIN_INDEXED_ROWS);
  if (current === undefined) {
    return rows >= at ? { action: "build", name: vectorIndexName(rows), reason: `${rows} rows ≥ ${at}` } : { action: "keep", reason: `${rows} rows < ${at}: a flat scan is fast enough` };
  }
  const trained = trainedRows(current);
  if (trained === undefined) return { action: "keep", reason: `${current} is not memory's own index` };
  if (rows >= trained * RETRAIN_GROWTH) return { action: "build", name: vectorIndexName(rows), replaces: current, reason: `${rows} rows ≥ ${RETRAIN_GROWTH}× the ${trained} it was trained on` };
  if (segments > MAX_SEGMENTS) return { action: "build", name: vectorIndexName(rows), replaces: current, reason: `${segments} segments > ${MAX_SEGMENTS}` };
  return { action: "keep", reason: `trained on ${trained} rows, ${segments} segment(s); later rows are added at compaction` };
}
