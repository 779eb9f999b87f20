import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import type Database from "better-sqlite3";
import { AlephError, errorMessage, nativeModuleError, type GraphEdgeView, type GraphNodeView } from "@aleph/plugin-sdk";
import { migrateGraph } from "./graph-schema.js";

/*
 * The knowledge graph (memory/graph.db): entities of an agent and the relations between them,
 * kept with their history. A relation declared exclusive (one value at a time: lives_in,
 * works_at, …) that is given a new value closes the old edge (its invalid_at) instead of deleting
 * it, so "where did the user live in March?" still has an answer. Traversal is one recursive CTE.
 */

/** An entity (the SDK's GraphNodeView: what the service returns is what is stored). */
export type GraphNode = GraphNodeView;

/** A bi-temporal relation (the SDK's GraphEdgeView). */
export type GraphEdge = GraphEdgeView;

export interface AddEdgeInput {
  src: string;
  rel: string;
  dst: string;
  factId?: string | undefined;
  /** When the relation became true (default: now). */
  validAt?: number | undefined;
  /** One value at a time for (src, rel): a new dst closes the open edge to the old one. */
  exclusive?: boolean | undefined;
}

export interface AddEdgeResult {
  edge: GraphEdge;
  /** The edge was there already (same src, rel, dst, open): nothing was added. */
  duplicate: boolean;
  /** Edges this one contradicted, now closed. */
  invalidated: GraphEdge[];
}

/** Which edges count: those true at `asOf` (default: those true now), as Aleph knew them at `knownAt` (default: now). */
export interface TimeView {
  asOf?: number | undefined;
  knownAt?: number | undefined;
}

export interface TraverseOptions extends TimeView {
  depth?: number;
  rels?: string[] | undefined;
  direction?: "out" | "in" | "both";
  /** At most this many of a node's edges are followed in each direction, newest first. */
  fanOut?: number;
  /** At most this many (node, depth) steps in all. */
  maxSteps?: number;
}

export interface Subgraph {
  nodes: (GraphNode & { depth: number })[];
  edges: GraphEdge[];
}

const REL = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_LABEL = 200;

/** The key two spellings of one entity share. */
export function entityKey(label: string): string {
  return label.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

function checkLabel(label: string, what: string): string {
  const clean = label.normalize("NFKC").trim().replace(/\s+/g, " ");
  if (clean.length === 0 || clean.length > MAX_LABEL || !/[\p{L}\p{N}]/u.test(clean)) {
    throw new AlephError("ALEPH_E_USAGE", `${what} "${label.slice(0, 40)}" is not an entity name`, { fix: `name it with letters or digits, at most ${MAX_LABEL} characters` });
  }
  return clean;
}

function checkRel(rel: string): string {
  if (!REL.test(rel)) throw new AlephError("ALEPH_E_USAGE", `"${rel.slice(0, 70)}" is not a relation name`, { fix: "use lower-case snake_case, e.g. lives_in or depends_on" });
  return rel;
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new AlephError("ALEPH_E_USAGE", `graph ${name} is ${String(value)}; give a whole number from ${min} to ${max}`);
  return value;
}

interface NodeRow { id: number; agent_id: string; entity: string; label: string; type: string; props: string; created_at: number }
interface EdgeRow { id: number; agent_id: string; src: number; rel: string; dst: number; fact_id: string | null; valid_at: number; invalid_at: number | null; created_at: number; expired_at: number | null }

const toNode = (r: NodeRow): GraphNode => ({ id: r.id, agentId: r.agent_id, entity: r.entity, label: r.label, type: r.type, props: JSON.parse(r.props) as Record<string, unknown>, createdAt: r.created_at });
const toEdge = (r: EdgeRow): GraphEdge => ({ id: r.id, agentId: r.agent_id, src: r.src, rel: r.rel, dst: r.dst, factId: r.fact_id, validAt: r.valid_at, invalidAt: r.invalid_at, createdAt: r.created_at, expiredAt: r.expired_at });

/** The edges of the time view (e is the edges table; :asOf and :knownAt may be NULL). */
const IN_VIEW = `
  ((:asOf IS NULL AND e.invalid_at IS NULL) OR (:asOf IS NOT NULL AND e.valid_at <= :asOf AND (e.invalid_at IS NULL OR e.invalid_at > :asOf)))
  AND ((:knownAt IS NULL AND e.expired_at IS NULL) OR (:knownAt IS NOT NULL AND e.created_at <= :knownAt AND (e.expired_at IS NULL OR e.expired_at > :knownAt)))
  AND (:rels IS NULL OR e.rel IN (SELECT value FROM json_each(:rels)))`;

/**
 * One step of the walk in a direction: `from` is the column the walk stands on, `to` where it
 * goes. CROSS JOIN keeps the walk the outer loop: left to itself the planner (no statistics on a
 * young file) scanned every edge of the agent for each step — 2.7 s instead of 2 ms at 100k edges.
 */
const step = (from: "src" | "dst", to: "src" | "dst", flag: ":out" | ":in") => `
  SELECT e.${to}, w.depth + 1 FROM walk w CROSS JOIN edges e ON e.agent_id = :agent AND e.${from} = w.node
  WHERE ${flag} AND w.depth < :depth AND ${IN_VIEW}
    AND e.id >= COALESCE((SELECT x.id FROM edges x WHERE x.agent_id = e.agent_id AND x.${from} = e.${from} ORDER BY x.id DESC LIMIT 1 OFFSET :fanOut - 1), 0)`;

/** Exported for the query-plan test. */
export const TRAVERSE = `
  WITH RECURSIVE walk(node, depth) AS (
    SELECT :start, 0
    UNION ${step("src", "dst", ":out")}
    UNION ${step("dst", "src", ":in")}
    LIMIT :maxSteps
  )
  SELECT node, MIN(depth) AS depth FROM walk GROUP BY node ORDER BY depth, node`;

export class KnowledgeGraph {
  readonly file: string;
  readonly #db: Database.Database;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
  }

  /** Opens (creating if needed) a graph database: WAL, foreign keys, the schema brought up to date. */
  static open(file: string, options: { busyTimeoutMs?: number } = {}): KnowledgeGraph {
    closeSync(openSync(file, "a", 0o600)); // private: what the agent knows about people
    let db: Database.Database;
    try {
      const Driver = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
      db = new Driver(file, { timeout: options.busyTimeoutMs ?? 5_000 });
    } catch (error) {
      throw nativeModuleError(error, "better-sqlite3") ?? new AlephError("ALEPH_E_SETUP", `cannot open ${file} as SQLite: ${errorMessage(error)}`, { file, fix: "check the file is readable and writable by you", cause: error });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      migrateGraph(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return new KnowledgeGraph(file, db);
  }

  close(): void {
    this.#db.close();
  }

  /** The node of `label` for an agent, made if missing (its first label, type and props are kept). */
  node(agentId: string, label: string, options: { type?: string; props?: Record<string, unknown>; now?: number } = {}): GraphNode {
    const clean = checkLabel(label, "entity");
    const entity = entityKey(clean);
    this.#db
      .prepare("INSERT INTO nodes (agent_id, entity, label, type, props, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id, entity) DO NOTHING")
      .run(agentId, entity, clean, options.type ?? "entity", JSON.stringify(options.props ?? {}), options.now ?? Date.now());
    return toNode(this.#db.prepare("SELECT * FROM nodes WHERE agent_id = ? AND entity = ?").get(agentId, entity) as NodeRow);
  }

  /** The node of `label`, if the agent has one. */
  findNode(agentId: string, label: string): GraphNode | undefined {
    const row = this.#db.prepare("SELECT * FROM nodes WHERE agent_id = ? AND entity = ?").get(agentId, entityKey(label)) as NodeRow | undefined;
    return row ? toNode(row) : undefined;
  }

  /** Adds `src —rel→ dst` (nodes made as needed), closing what it contradicts; all in one transaction. */
  addEdge(agentId: string, input: AddEdgeInput, now = Date.now()): AddEdgeResult {
    const rel = checkRel(input.rel);
    const validAt = input.validAt ?? now;
    return this.#db.transaction((): AddEdgeResult => {
      const src = this.node(agentId, input.src, { now });
      const dst = this.node(agentId, input.dst, { now });
      const open = (this.#db.prepare("SELECT * FROM edges WHERE agent_id = ? AND src = ? AND rel = ? AND invalid_at IS NULL AND expired_at IS NULL").all(agentId, src.id, rel) as EdgeRow[]).map(toEdge);
      const same = open.find((e) => e.dst === dst.id);
      if (same) return { edge: same, duplicate: true, invalidated: [] };
      let invalidAt: number | null = null;
      const invalidated: GraphEdge[] = [];
      if (input.exclusive) {
        for (const old of open) {
          if (old.validAt < validAt) {
            this.#db.prepare("UPDATE edges SET invalid_at = ? WHERE id = ?").run(validAt, old.id);
            invalidated.push({ ...old, invalidAt: validAt });
          } else {
            // The new edge tells of an earlier time: it was true until the newer value began.
            invalidAt = invalidAt === null ? old.validAt : Math.min(invalidAt, old.validAt);
          }
        }
      }
      const info = this.#db
        .prepare("INSERT INTO edges (agent_id, src, rel, dst, fact_id, valid_at, invalid_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run(agentId, src.id, rel, dst.id, input.factId ?? null, validAt, invalidAt, now);
      return { edge: toEdge(this.#db.prepare("SELECT * FROM edges WHERE id = ?").get(info.lastInsertRowid) as EdgeRow), duplicate: false, invalidated };
    }).immediate();
  }

  /** Adds many edges in one transaction (an import): each as addEdge would, in order. */
  addEdges(agentId: string, inputs: AddEdgeInput[], now = Date.now()): AddEdgeResult[] {
    // addEdge's own transactions nest (savepoints): one commit for the lot.
    return this.#db.transaction(() => inputs.map((input) => this.addEdge(agentId, input, now))).immediate();
  }

  /** Retires an edge record (it was wrong, not merely superseded): kept, but no longer known from `now`. */
  retireEdge(id: number, now = Date.now()): boolean {
    return this.#db.prepare("UPDATE edges SET expired_at = ? WHERE id = ? AND expired_at IS NULL").run(now, id).changes === 1;
  }

  /**
   * The nodes within `depth` steps of `from` and the edges among them, in the time view. A missing
   * entity is an empty subgraph.
   */
  traverse(agentId: string, from: string, options: TraverseOptions = {}): Subgraph {
    const direction = options.direction ?? "both";
    const rels = options.rels === undefined ? null : JSON.stringify(options.rels.map(checkRel));
    const view = { asOf: options.asOf ?? null, knownAt: options.knownAt ?? null, rels };
    const limits = {
      depth: checkInt("depth", options.depth ?? 2, 0, 6),
      fanOut: checkInt("fan-out", options.fanOut ?? 50, 1, 10_000),
      maxSteps: checkInt("max steps", options.maxSteps ?? 5_000, 1, 1_000_000),
    };
    const start = this.findNode(agentId, from);
    if (!start) return { nodes: [], edges: [] };
    const reached = this.#db.prepare(TRAVERSE).all({
      ...view,
      ...limits,
      agent: agentId,
      start: start.id,
      out: direction === "in" ? 0 : 1,
      in: direction === "out" ? 0 : 1,
    }) as { node: number; depth: number }[];
    const ids = JSON.stringify(reached.map((r) => r.node));
    const depthOf = new Map(reached.map((r) => [r.node, r.depth]));
    const nodes = (this.#db.prepare("SELECT * FROM nodes WHERE id IN (SELECT value FROM json_each(?))").all(ids) as NodeRow[])
      .map((r) => ({ ...toNode(r), depth: depthOf.get(r.id)! }))
      .sort((a, b) => a.depth - b.depth || a.id - b.id);
    const edges = (
      this.#db
        .prepare(`SELECT e.* FROM edges e WHERE e.agent_id = :agent AND e.src IN (SELECT value FROM json_each(:ids)) AND e.dst IN (SELECT value FROM json_each(:ids)) AND ${IN_VIEW} ORDER BY e.id`)
        .all({ ...view, agent: agentId, ids }) as EdgeRow[]
    ).map(toEdge);
    return { nodes, edges };
  }
}
