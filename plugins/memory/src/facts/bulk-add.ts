import type { FactInput } from "@aleph/plugin-sdk";
import { contentHash } from "./fact-identity.js";
import { probeOf, UnitVectors, type Probe } from "./near-duplicates.js";
import { mergeRepeat, newRow, type Row } from "./rows.js";

/*
 * What a bulk add (FactStore.addMany, `aleph memory import`) does with each fact, decided in
 * memory once the store has read what the table holds of them: an exact repeat (same content
 * hash, stored or earlier in the batch) is a duplicate; else a near repeat (cosine ≥ the
 * threshold, same agent and scope) of a stored fact — the nearest — or of an earlier new fact of
 * the batch — the first — is merged into it; else it is added. The store then writes the plan.
 */

export type AddOutcome = "added" | "duplicate" | "merged";

export interface AddResult {
  id: string;
  outcome: AddOutcome;
}

export interface BulkItem {
  input: FactInput;
  vector: ArrayLike<number>;
}

/** An input with the scope, text and content hash it is stored under. */
export interface PreparedFact extends BulkItem {
  scope: string;
  text: string;
  hash: string;
}

export function prepareFacts(items: BulkItem[]): PreparedFact[] {
  return items.map(({ input, vector }) => {
    const scope = input.scope ?? "agent";
    const text = input.text.trim();
    return { input, vector, scope, text, hash: contentHash(input.agentId, scope, text) };
  });
}

/** Facts are near duplicates only within one agent and scope: the key of that pair. */
export function scopeKey(agentId: string, scope: string): string {
  return JSON.stringify([agentId, scope]);
}

/**
 * The facts to check for near duplicates — those no stored fact repeats exactly — by agent and
 * scope (positions in `prepared`), each with its probe.
 */
export function nearDuplicateCandidates(prepared: PreparedFact[], storedHashes: ReadonlyMap<string, string>): { groups: Map<string, number[]>; probes: Map<number, Probe> } {
  const groups = new Map<string, number[]>();
  const probes = new Map<number, Probe>();
  prepared.forEach((p, i) => {
    if (storedHashes.has(p.hash)) return;
    const key = scopeKey(p.input.agentId, p.scope);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
    probes.set(i, probeOf(p.vector));
  });
  return { groups, probes };
}

export interface BulkPlan {
  /** Each input's outcome, in order. */
  outcomes: AddResult[];
  /** The new rows, by id. */
  fresh: Map<string, Row>;
  /** Stored rows a repeat was merged into, as they are written back. */
  touched: Row[];
  /** The new rows' ids by agent and scope (scopeKey), in the order added. */
  added: Map<string, string[]>;
}

export interface BulkContext {
  /** Stored rows that share a content hash with an input, by id. */
  stored: Map<string, Row>;
  /** Content hash → id of those stored rows. */
  byHash: Map<string, string>;
  /** Position in `prepared` → the stored row it nearly repeats. */
  nearest: ReadonlyMap<number, Row>;
  probes: ReadonlyMap<number, Probe>;
  threshold: number;
  dimension: number;
  model: string;
  now: number;
  newId: () => string;
}

/** Decides each fact's outcome (see the note at the top); writes nothing. */
export function planBulkAdd(prepared: PreparedFact[], context: BulkContext): BulkPlan {
  const { stored, nearest, probes, threshold, now } = context;
  const byHash = new Map(context.byHash);
  const batch = new Map<string, { vectors: UnitVectors; ids: string[] }>(); // agent and scope → the batch's new rows so far
  const fresh = new Map<string, Row>(); // id → new row
  const sameInBatch = (key: string, i: number): Row | undefined => {
    const group = batch.get(key);
    const hit = group && probes.has(i) ? group.vectors.nearest(probes.get(i)!, threshold, true) : undefined;
    return hit ? fresh.get(group!.ids[hit.index]!) : undefined;
  };
  const merge = (id: string, input: FactInput, found?: Row) => {
    const target = fresh.get(id) ?? stored.get(id) ?? found!;
    (fresh.has(id) ? fresh : stored).set(id, mergeRepeat(target, input, now));
  };
  const outcomes = prepared.map((p, i): AddResult => {
    const same = byHash.get(p.hash);
    if (same !== undefined) {
      merge(same, p.input);
      return { id: same, outcome: "duplicate" };
    }
    const key = scopeKey(p.input.agentId, p.scope);
    const near = nearest.get(i) ?? sameInBatch(key, i);
    if (near) {
      const id = String(near.id);
      merge(id, p.input, near);
      return { id, outcome: "merged" };
    }
    const id = context.newId();
    fresh.set(id, newRow(id, p.input, p.scope, p.text, p.hash, p.vector, context.model, now));
    byHash.set(p.hash, id);
    if (probes.has(i)) {
      const group = batch.get(key) ?? { vectors: new UnitVectors(context.dimension), ids: [] };
      batch.set(key, group);
      group.vectors.push(p.vector);
      group.ids.push(id);
    }
    return { id, outcome: "added" };
  });
  const added = new Map([...batch].map(([key, group]) => [key, group.ids]));
  return { outcomes, fresh, touched: [...stored.values()].filter((row) => row.updated_at === now), added };
}
