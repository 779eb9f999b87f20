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
 * below a near-duplicate threshold (0.92 by default); with its 8 heaviest, all but 0.06% (measured
 * on bench/memory-facts.mjs's facts, 45M pairs of a 10k import): so 4 dimensions are read for a
 * pair, 4 more for 5% of them, and the full dot product — over the new vector's nonzero
 * dimensions only, ~60 of 384 — for a few. A stored vector that is zero on all 4 is ruled out by
 * the bound unread whenever the new vector's mass outside them is below the threshold: a bitmap of
 * nonzero entries per dimension skips those (about half the pairs of hash vectors) 32 at a time.
 * Dense vectors (a provider's model) prune less, and cost at most one full dot product a pair.
 * ~5 ns a pair on 2 shared cores: the 45M pairs of a 10k import take ~0.2–0.25 s (was ~0.5 s at
 * ~11 ns before the loop became a plain function, the dot product skipped zeros and the bitmap).
 * (An inverted index of the dimensions, listing the candidates that share one with the new
 * vector, was no faster: at ~15% nonzero most pairs share some dimension.)
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
  /** Per dimension, a bit per vector: set where the vector is not zero there (rows of capacity / 32 words). */
  #nonzero: Uint32Array;
  #capacity: number;
  #size = 0;

  constructor(dimension: number, capacity = 64) {
    this.dimension = dimension;
    this.#capacity = Math.max(32, Math.ceil(capacity / 32) * 32);
    this.#columns = new Float32Array(dimension * this.#capacity);
    this.#nonzero = new Uint32Array((dimension * this.#capacity) / 32);
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
      const bits = new Uint32Array((d * capacity) / 32);
      for (let i = 0; i < d; i++) {
        grown.set(this.#columns.subarray(i * this.#capacity, i * this.#capacity + this.#size), i * capacity);
        bits.set(this.#nonzero.subarray((i * this.#capacity) / 32, ((i + 1) * this.#capacity) / 32), (i * capacity) / 32);
      }
      this.#columns = grown;
      this.#nonzero = bits;
      this.#capacity = capacity;
    }
    const scale = 1 / (norm(vector) || 1);
    const j = this.#size;
    for (let i = 0; i < d; i++) {
      const x = vector[i]! * scale;
      this.#columns[i * this.#capacity + j] = x;
      if (Math.fround(x) !== 0) this.#nonzero[(i * this.#capacity + j) >>> 5]! |= 1 << (j & 31);
    }
    return this.#size++;
  }

  /**
   * The vector most similar to `probe` with cosine ≥ `threshold` — or with `first`, the first such
   * in order — and its cosine; undefined when there is none.
   */
  nearest(probe: Probe, threshold: number, first = false): { index: number; cosine: number } | undefined {
    if (probe.rest < 0) return undefined; // the zero vector is like nothing
    return scan(this.#columns, this.#nonzero, this.#capacity, this.#size, probe, threshold, first);
  }
}

/**
 * UnitVectors.nearest's loop, a plain function of its arguments: V8 keeps the PROBE (8)
 * dimensions' column offsets and weights in registers (~1.5× the speed of the same loop as a
 * method reading them from destructured arrays). Vectors of fewer dimensions are never pruned (an
 * unused dimension bounds nothing).
 */
function scan(columns: Float32Array, nonzeroBits: Uint32Array, cap: number, n: number, probe: Probe, threshold: number, first: boolean): { index: number; cosine: number } | undefined {
  const { unit, dims, nonzero } = probe;
  const prune = dims.length === PROBE;
  const at = (t: number) => (prune ? dims[t]! * cap : 0);
  const weight = (t: number) => (prune ? unit[dims[t]!]! : 0);
  const a0 = at(0), a1 = at(1), a2 = at(2), a3 = at(3), a4 = at(4), a5 = at(5), a6 = at(6), a7 = at(7);
  const w0 = weight(0), w1 = weight(1), w2 = weight(2), w3 = weight(3), w4 = weight(4), w5 = weight(5), w6 = weight(6), w7 = weight(7);
  const rest2 = probe.rest * probe.rest;
  const early2 = probe.restAfterFirst * probe.restAfterFirst;
  let index = -1;
  let cosine = 0;
  let floor = threshold - EPSILON; // the bound a vector must reach: the threshold, then the best cosine so far
  // A vector that is zero on all of the probe's 4 heaviest dimensions has partial 0 and mass 0: the
  // bound prunes it whenever restAfterFirst < floor, so when that holds at the threshold (floor only
  // rises) such vectors are skipped 32 at a time, by their nonzero bits, unread. For hash vectors
  // (~15% of dimensions nonzero) that is about half of them.
  const skipZeros = prune && probe.restAfterFirst < threshold - 2 * EPSILON; // a margin past the rounding of the squares
  const words = cap / 32;
  const b0 = skipZeros ? dims[0]! * words : 0, b1 = skipZeros ? dims[1]! * words : 0, b2 = skipZeros ? dims[2]! * words : 0, b3 = skipZeros ? dims[3]! * words : 0;
  for (let w = 0, end = Math.ceil(n / 32); w < end; w++) {
    let bits = skipZeros ? nonzeroBits[b0 + w]! | nonzeroBits[b1 + w]! | nonzeroBits[b2 + w]! | nonzeroBits[b3 + w]! : -1;
    if (w === end - 1 && n % 32 !== 0) bits &= (1 << n % 32) - 1;
    for (; bits !== 0; bits &= bits - 1) {
    const j = w * 32 + (31 - Math.clz32(bits & -bits));
    // Pruned when partial + rest·√(1 − mass) < floor (squared to spare the root): on 4 dimensions, then on 8.
    const x0 = columns[a0 + j]!, x1 = columns[a1 + j]!, x2 = columns[a2 + j]!, x3 = columns[a3 + j]!;
    const partial4 = w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3;
    const mass4 = x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
    const gap4 = floor - partial4;
    if (prune && gap4 > 0 && early2 * (1 - mass4) < gap4 * gap4) continue;
    const x4 = columns[a4 + j]!, x5 = columns[a5 + j]!, x6 = columns[a6 + j]!, x7 = columns[a7 + j]!;
    const partial8 = partial4 + w4 * x4 + w5 * x5 + w6 * x6 + w7 * x7;
    const gap8 = floor - partial8;
    if (prune && gap8 > 0 && rest2 * (1 - (mass4 + x4 * x4 + x5 * x5 + x6 * x6 + x7 * x7)) < gap8 * gap8) continue;
    // The full dot product over the probe's nonzero dimensions, in order: the sum over all of them,
    // to the bit (a zero term adds nothing), at a fraction of the reads for a sparse probe.
    let dot = 0;
    for (let k = 0; k < nonzero.length; k++) dot += unit[nonzero[k]!]! * columns[nonzero[k]! * cap + j]!;
    if (index < 0 ? dot >= threshold : dot > cosine) {
      index = j;
      cosine = dot;
      if (first) return { index, cosine };
      floor = dot - EPSILON; // only a closer one can replace it
    }
    }
  }
  return index < 0 ? undefined : { index, cosine };
}

/**
 * A vector prepared for comparing with many: unit length, its PROBE heaviest dimensions (heaviest
 * first), the norm of the rest (−1: the zero vector) and of all but the first 4, and its nonzero dimensions.
 */
export interface Probe {
  unit: Float32Array;
  dims: Int32Array;
  rest: number;
  restAfterFirst: number;
  nonzero: Int32Array;
}

export function probeOf(vector: ArrayLike<number>): Probe {
  const n = norm(vector);
  const unit = new Float32Array(vector.length);
  if (n > 0) for (let i = 0; i < unit.length; i++) unit[i] = vector[i]! / n;
  // The PROBE largest |values|, by insertion into a short sorted list (of equal ones, the lower dimension first).
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
  const rest = n === 0 ? -1 : Math.sqrt(Math.max(0, 1 - mass));
  return { unit, dims: Int32Array.from(dims), rest, restAfterFirst: Math.sqrt(Math.max(0, 1 - massFirst)), nonzero: nonzeroOf(unit) };
}

/** The dimensions where `unit` is not zero, in order. */
function nonzeroOf(unit: Float32Array): Int32Array {
  let count = 0;
  for (let i = 0; i < unit.length; i++) if (unit[i] !== 0) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < unit.length; i++) if (unit[i] !== 0) out[k++] = i;
  return out;
}

function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}
