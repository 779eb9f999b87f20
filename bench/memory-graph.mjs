// memory-graph: a 3-hop traversal of the memory plugin's knowledge graph (memory/graph.db) — one
// recursive CTE (KnowledgeGraph.traverse) — against the same traversal done by loading the
// agent's open edges from the same file and walking them in JavaScript, at 100k edges over 20k
// entities (random, seeded). Interleaved; both must reach the same nodes. Budget: the CTE faster.
import { createRequire } from "node:module";
import { join } from "node:path";
import { KnowledgeGraph } from "@aleph/plugin-memory/runtime";
import { check, fmtMs, main, median, note, tempDir } from "./lib.mjs";

const EDGES = Number(process.env.BENCH_GRAPH_EDGES ?? 100_000);
const NODES = Math.max(100, Math.round(EDGES / 5));
const ROUNDS = Number(process.env.BENCH_GRAPH_ROUNDS ?? 15);
const DEPTH = 3;

/** The JS side: every open edge of the agent loaded, then a breadth-first walk of `depth` steps out. */
function walkInJs(db, agentId, startId, depth) {
  const out = new Map();
  for (const { src, dst } of db.prepare("SELECT src, dst FROM edges WHERE agent_id = ? AND invalid_at IS NULL AND expired_at IS NULL").iterate(agentId)) {
    let list = out.get(src);
    if (!list) out.set(src, (list = []));
    list.push(dst);
  }
  const seen = new Set([startId]);
  let frontier = [startId];
  for (let d = 0; d < depth; d++) {
    const next = [];
    for (const node of frontier) for (const to of out.get(node) ?? []) if (!seen.has(to)) (seen.add(to), next.push(to));
    frontier = next;
  }
  return seen;
}

main(async () => {
  const file = join(tempDir("aleph-graph-"), "graph.db");
  const graph = KnowledgeGraph.open(file);
  let seed = 7;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const t0 = performance.now();
  for (let i = 0; i < EDGES; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, EDGES - i) }, () => ({ src: `entity ${Math.floor(random() * NODES)}`, rel: "links", dst: `entity ${Math.floor(random() * NODES)}` }));
    graph.addEdges("main", batch, 1);
  }
  note(`graph: ${EDGES} edges over ${NODES} entities written in ${fmtMs(performance.now() - t0)} (addEdges, 10k per transaction)`);
  const Driver = createRequire(import.meta.url)("better-sqlite3");
  const db = new Driver(file, { readonly: true });
  const starts = Array.from({ length: 5 }, (_, i) => `entity ${i * 997}`);
  const cte = [];
  const js = [];
  let reached = 0;
  for (let round = 0; round < ROUNDS + 2; round++) {
    for (const start of starts) {
      const sides = [
        () => {
          const t = performance.now();
          const sub = graph.traverse("main", start, { depth: DEPTH, direction: "out", fanOut: 10_000, maxSteps: 1_000_000 });
          const ms = performance.now() - t;
          return { ms, nodes: new Set(sub.nodes.map((n) => n.id)) };
        },
        () => {
          const t = performance.now();
          const startId = graph.findNode("main", start).id;
          const nodes = walkInJs(db, "main", startId, DEPTH);
          return { ms: performance.now() - t, nodes };
        },
      ];
      // The order alternates so drift hits both sides alike.
      const [a, b] = round % 2 ? [sides[1](), sides[0]()] : [sides[0](), sides[1]()];
      const [viaCte, viaJs] = round % 2 ? [b, a] : [a, b];
      if (viaCte.nodes.size !== viaJs.nodes.size || [...viaJs.nodes].some((n) => !viaCte.nodes.has(n))) {
        throw new Error(`the CTE reached ${viaCte.nodes.size} nodes from ${start}, the JS walk ${viaJs.nodes.size}: not the same traversal`);
      }
      if (round >= 2) {
        cte.push(viaCte.ms);
        js.push(viaJs.ms);
        reached += viaCte.nodes.size;
      }
    }
  }
  db.close();
  graph.close();
  const c = median(cte);
  const j = median(js);
  note(`${DEPTH} hops out, ${Math.round(reached / cte.length)} nodes reached on average; ${cte.length} traversals each`);
  check("memory-graph", `memory-graph: ${DEPTH}-hop traversal at ${EDGES} edges: recursive CTE ${fmtMs(c)} vs load + walk in JS ${fmtMs(j)} = ${(j / c).toFixed(1)}× faster (budget: the CTE faster)`, c < j);
});
