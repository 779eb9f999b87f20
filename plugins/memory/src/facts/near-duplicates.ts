/*
 * Near duplicates among many vectors at once, in memory: a bulk add (FactStore.addMany) compares
 * every new fact with the agent's stored facts and with the batch's earlier ones. LanceDB would
 * scan the table once per new fact (a multi-vector search is one scan per vector: ~25 ms each at
 * 5k rows, so ~40 facts/s for an import); here the stored vectors are read once and compared in JS.
 *
 * Exact, and fast because nearly every pair is ruled out before its full dot product. For unit
 * vectors and P a set of dimensions, Cauchy–Schwarz gives
 *   a·b ≤ Σ_{i∈P} a_i·b_i + ‖a outside P‖ · √(1 − Σ_{i∈P} b_i²)
 * With P the new vector's 4 heaviest dimensions, 95% of the pairs of hash-embedder vectors fall
 * below a near-duplicate threshold (0.92 by default); with its 8 heaviest, all but 0.07% (measured
 * on bench/memory-facts.mjs's facts): so 4 dimensions are read for every pair, 4 more for 5% of
 * them, all for a few. Dense vectors (a provider's model) prune less, and cost at most one full
 * dot product a pair. ~8 ns a pair: 1,000 new facts against 6k stored take ~50 ms. (An inverted
 * index of the sparse vectors' dimensions, to skip the pairs that share none, was no faster.)
 */

const PROBE = 8;
const FIRST = 4;
/** Slack for float rounding: a bound this close to the threshold is checked in full. */
const EPSILON = 1e-6;

/**
 * Vectors scaled to unit length (the zero vector stays zero: like nothing), stored by dimension
 * (column after column), so the bound's few dimensions are read as sequential runs over every
 * vector rather than a few scattered floats from each (~1.5× faster at 6k vectors).
 */
export class UnitVectors {
  readonly dimension: number;
  #columns: Float32Array;
  #capacity: number;
  #size = 0;

  constructor(dimension: number, capacity = 64) {
    this.dimension = dimension;
    this.#capacity = Math.max(1, capacity);
    this.#columns = new Float32Array(dimension * this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a unit-length copy of `vector`; returns its index. */
  push(vector: ArrayLike<number>): number {
    const d = this.dimension;
    if (this.#size === this.#capacity) {
      const capacity = this.#capacity * 2;
      const grown = new Float32Array(d * capacity);
      for (let i = 0; i < d; i++) grown.set(this.#columns.subarray(i * this.#capacity, i * this.#capacity + this.#size), i * capacity);
      this.#columns = grown;
      this.#capacity = capacity;
    }
    const scale = 1 / (norm(vector) || 1);
    for (let i = 0; i < d; i++) this.#columns[i * this.#capacity + this.#size] = vector[i]! * scale;
    return this.#size++;
  }

  /**
   * The vector most similar to `probe` with cosine ≥ `threshold` — or with `first`, the first such
   * in order — and its cosine; undefined when there is none.
   */
  nearest(probe: Probe, threshold: number, first = false): { index: number; cosine: number } | undefined {
    const { unit, dims, rest, restAfterFirst } = probe;
    const n = this.#size;
    if (rest < 0) return undefined; // the zero vector is like nothing
    const cap = this.#capacity;
    const columns = this.#columns;
    // The PROBE (8) dimensions' columns and weights in locals: V8 keeps them in registers (~1.5× the
    // loop's speed). Vectors of fewer dimensions are never pruned (an unused dimension bounds nothing).
    const prune = dims.length === PROBE;
    type Eight = [number, number, number, number, number, number, number, number];
    const [a0, a1, a2, a3, a4, a5, a6, a7] = (prune ? Array.from(dims, (i) => i * cap) : Array(PROBE).fill(0)) as Eight;
    const [w0, w1, w2, w3, w4, w5, w6, w7] = (prune ? Array.from(dims, (i) => unit[i]!) : Array(PROBE).fill(0)) as Eight;
    const rest2 = rest * rest;
    const early2 = restAfterFirst * restAfterFirst;
    let found: { index: number; cosine: number } | undefined;
    let floor = threshold;
    for (let j = 0; j < n; j++) {
      // Pruned when partial + rest·√(1 − mass) < floor (squared to spare the root): on 4 dimensions, then on 8.
      const x0 = columns[a0 + j]!, x1 = columns[a1 + j]!, x2 = columns[a2 + j]!, x3 = columns[a3 + j]!;
      let partial = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3;
      let mass = x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
      let gap = floor - EPSILON - partial;
      if (prune && gap > 0 && early2 * (1 - mass) < gap * gap) continue;
      const x4 = columns[a4 + j]!, x5 = columns[a5 + j]!, x6 = columns[a6 + j]!, x7 = columns[a7 + j]!;
      partial += w4 * x4 + w5 * x5 + w6 * x6 + w7 * x7;
      mass += x4 * x4 + x5 * x5 + x6 * x6 + x7 * x7;
      gap = floor - EPSILON - partial;
      if (prune && gap > 0 && rest2 * (1 - mass) < gap * gap) continue;
      let dot = 0;
      for (let i = 0; i < this.dimension; i++) dot += unit[i]! * columns[i * cap + j]!;
      if (dot >= floor && (found === undefined || dot > found.cosine)) {
        found = { index: j, cosine: dot };
        if (first) return found;
        floor = dot; // only a closer one can replace it
      }
    }
    return found;
  }
}

/** A vector prepared for comparing with many: unit length, its heaviest dimensions (heaviest first), the norm of the rest (−1: the zero vector) and of all but the first 4. */
export interface Probe {
  unit: Float32Array;
  dims: Int32Array;
  rest: number;
  restAfterFirst: number;
}

export function probeOf(vector: ArrayLike<number>): Probe {
  const n = norm(vector);
  const unit = new Float32Array(vector.length);
  if (n > 0) for (let i = 0; i < unit.length; i++) unit[i] = vector[i]! / n;
  // The PROBE largest |values|, by insertion into a short sorted list.
  const dims: number[] = [];
  for (let i = 0; i < unit.length; i++) {
    const a = Math.abs(unit[i]!);
    if (dims.length === PROBE && a <= Math.abs(unit[dims[PROBE - 1]!]!)) continue;
    let at = Math.min(dims.length, PROBE - 1);
    while (at > 0 && Math.abs(unit[dims[at - 1]!]!) < a) at--;
    dims.splice(at, 0, i);
    if (dims.length > PROBE) dims.pop();
  }
  let mass = 0;
  let massFirst = 0;
  dims.forEach((i, t) => {
    mass += unit[i]! * unit[i]!;
    if (t < FIRST) massFirst += unit[i]! * unit[i]!;
  });
  return { unit, dims: Int32Array.from(dims), rest: n === 0 ? -1 : Math.sqrt(Math.max(0, 1 - mass)), restAfterFirst: Math.sqrt(Math.max(0, 1 - massFirst)) };
}

function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}
