import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { KnowledgeGraph, TRAVERSE } from "./graph-store.js";
import { migrateGraph } from "./graph-schema.js";

const T = (iso: string) => Date.parse(iso);
const open: KnowledgeGraph[] = [];
const graph = () => {
  const g = KnowledgeGraph.open(join(mkdtempSync(join(tmpdir(), "aleph-graph-")), "graph.db"));
  open.push(g);
  return g;
};
afterEach(() => {
  for (const g of open.splice(0)) g.close();
});
const labels = (g: KnowledgeGraph, sub: { nodes: { label: string }[] }) => sub.nodes.map((n) => n.label);

describe("knowledge graph", () => {
  it("makes one node per entity, whatever the spelling, per agent, in a private file", () => {
    const g = graph();
    const a = g.node("main", "Project  Aleph", { type: "project" });
    expect(g.node("main", "project aleph").id).toBe(a.id);
    expect(g.node("main", "project aleph").label).toBe("Project Aleph"); // the first label is kept
    expect(g.node("b", "Project Aleph").id).not.toBe(a.id);
    expect(statSync(g.file).mode & 0o777).toBe(0o600);
  });

  it("closes the old value of an exclusive relation instead of deleting it, and answers as of a time", () => {
    const g = graph();
    g.addEdge("main", { src: "user", rel: "lives_in", dst: "Berlin", exclusive: true, validAt: T("2024-01-01") }, T("2024-01-02"));
    const moved = g.addEdge("main", { src: "user", rel: "lives_in", dst: "Hamburg", exclusive: true, validAt: T("2026-03-01") }, T("2026-03-02"));
    expect(moved.invalidated).toHaveLength(1);
    expect(moved.invalidated[0]!.invalidAt).toBe(T("2026-03-01"));
    const dst = (asOf?: number) => labels(g, g.traverse("main", "user", { depth: 1, direction: "out", rels: ["lives_in"], asOf })).slice(1);
    expect(dst()).toEqual(["Hamburg"]);
    expect(dst(T("2025-06-01"))).toEqual(["Berlin"]);
    expect(dst(T("2023-06-01"))).toEqual([]);
    // A late report of an earlier truth does not undo the newer one: it is closed where the newer begins.
    const late = g.addEdge("main", { src: "user", rel: "lives_in", dst: "Munich", exclusive: true, validAt: T("2025-01-01") }, T("2026-04-01"));
    expect(late.edge.invalidAt).toBe(T("2026-03-01"));
    expect(dst()).toEqual(["Hamburg"]);
    expect(dst(T("2025-06-01")).sort()).toEqual(["Berlin", "Munich"]);
  });

  it("keeps one edge for a repeated relation, and many values of a relation that is not exclusive", () => {
    const g = graph();
    const first = g.addEdge("main", { src: "Aleph", rel: "depends_on", dst: "SQLite" });
    expect(g.addEdge("main", { src: "aleph", rel: "depends_on", dst: "sqlite" })).toMatchObject({ duplicate: true, edge: { id: first.edge.id } });
    g.addEdge("main", { src: "Aleph", rel: "depends_on", dst: "LanceDB" });
    expect(labels(g, g.traverse("main", "Aleph", { depth: 1 })).sort()).toEqual(["Aleph", "LanceDB", "SQLite"]);
  });

  it("walks several steps in either direction, filtered by relation, and knows what was retired", () => {
    const g = graph();
    g.addEdge("main", { src: "Aleph", rel: "depends_on", dst: "kernel" });
    g.addEdge("main", { src: "kernel", rel: "depends_on", dst: "zod" });
    g.addEdge("main", { src: "zod", rel: "depends_on", dst: "typescript" });
    g.addEdge("main", { src: "Ada", rel: "works_on", dst: "Aleph" });
    const retired = g.addEdge("main", { src: "kernel", rel: "depends_on", dst: "pino" }, 1_000);
    expect(g.retireEdge(retired.edge.id, 2_000)).toBe(true);

    const sub = g.traverse("main", "Aleph", { depth: 2, direction: "out" });
    expect(sub.nodes.map((n) => [n.label, n.depth])).toEqual([["Aleph", 0], ["kernel", 1], ["zod", 2]]);
    expect(sub.edges).toHaveLength(2);
    expect(labels(g, g.traverse("main", "Aleph", { depth: 3, direction: "out" }))).toContain("typescript");
    expect(labels(g, g.traverse("main", "Aleph", { depth: 1, direction: "in" }))).toEqual(["Aleph", "Ada"]);
    expect(labels(g, g.traverse("main", "Aleph", { depth: 3, rels: ["works_on"] }))).toEqual(["Aleph", "Ada"]);
    // Retired: gone now, still there as Aleph knew it before it was retired.
    expect(labels(g, g.traverse("main", "kernel", { depth: 1, direction: "out" }))).not.toContain("pino");
    expect(labels(g, g.traverse("main", "kernel", { depth: 1, direction: "out", knownAt: 1_500, asOf: 1_500 }))).toContain("pino");
    expect(g.traverse("main", "nobody")).toEqual({ nodes: [], edges: [] });
    expect(g.traverse("other-agent", "Aleph")).toEqual({ nodes: [], edges: [] });
  });

  it("adds many edges in one transaction, each as a single add would", () => {
    const g = graph();
    const results = g.addEdges("main", [
      { src: "a", rel: "lives_in", dst: "x", exclusive: true, validAt: 1 },
      { src: "a", rel: "lives_in", dst: "y", exclusive: true, validAt: 2 },
      { src: "a", rel: "lives_in", dst: "y", exclusive: true, validAt: 3 },
    ]);
    expect(results.map((r) => [r.duplicate, r.invalidated.length])).toEqual([[false, 0], [false, 1], [true, 0]]);
    expect(labels(g, g.traverse("main", "a", { depth: 1, direction: "out" })).slice(1)).toEqual(["y"]);
    expect(() => g.addEdges("main", [{ src: "b", rel: "ok", dst: "c" }, { src: "b", rel: "Bad Rel", dst: "c" }])).toThrow(/not a relation name/);
    expect(g.findNode("main", "b")).toBeUndefined(); // all or nothing
  });

  it("follows at most fan-out edges of a node (its newest), and stops at max steps", () => {
    const g = graph();
    for (let i = 0; i < 30; i++) g.addEdge("main", { src: "hub", rel: "links", dst: `leaf ${i}` });
    const capped = g.traverse("main", "hub", { depth: 1, direction: "out", fanOut: 5 });
    expect(labels(g, capped).slice(1).sort()).toEqual(["leaf 25", "leaf 26", "leaf 27", "leaf 28", "leaf 29"]);
    expect(g.traverse("main", "hub", { depth: 1, maxSteps: 10 }).nodes.length).toBeLessThanOrEqual(10);
  });

  it("refuses bad names and options, and a file that is not a database", () => {
    const g = graph();
    expect(() => g.addEdge("main", { src: "a", rel: "Lives In", dst: "b" })).toThrow(/not a relation name/);
    expect(() => g.addEdge("main", { src: "  ", rel: "x", dst: "b" })).toThrow(/not an entity name/);
    expect(() => g.node("main", "x".repeat(300))).toThrow(/not an entity name/);
    expect(() => g.traverse("main", "a", { rels: ["DROP TABLE"] })).toThrow(/not a relation name/);
    g.node("main", "a");
    expect(() => g.traverse("main", "a", { depth: 99 })).toThrow(/depth is 99/);
    expect(() => g.traverse("main", "a", { fanOut: 0 })).toThrow(/fan-out is 0/);
    const junk = join(mkdtempSync(join(tmpdir(), "aleph-graph-")), "graph.db");
    writeFileSync(junk, "this is not sqlite, this is not sqlite, this is not sqlite, this is not sqlite!!");
    expect(() => KnowledgeGraph.open(junk)).toThrow(/not a database|file is not a database/i);
  });

  it("walks from the nodes reached, through the edge indexes (never a scan of every edge)", () => {
    const Driver = createRequire(import.meta.url)("better-sqlite3");
    const db = new Driver(":memory:");
    migrateGraph(db, ":memory:");
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${TRAVERSE}`).all({ asOf: null, knownAt: null, rels: null, agent: "main", start: 1, depth: 2, fanOut: 50, maxSteps: 100, out: 1, in: 1 }) as { detail: string }[]).map((r) => r.detail);
    db.close();
    expect(plan).toContain("SEARCH e USING INDEX edges_out (agent_id=? AND src=?)");
    expect(plan).toContain("SEARCH e USING INDEX edges_in (agent_id=? AND dst=?)");
    expect(plan.filter((d) => /^SCAN e\b/.test(d) || /SEARCH e USING INDEX edges_\w+ \(agent_id=\?\)$/.test(d))).toEqual([]);
  });
});
