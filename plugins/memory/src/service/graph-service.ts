import type { Fact, MemoryService } from "@aleph/plugin-sdk";
import type { KnowledgeGraph } from "../graph/graph-store.js";

/*
 * The knowledge-graph part of the memory service: relations added (exclusive ones closing the value
 * they replace) and `about` — "what do I know about project X and its dependencies": the entity's
 * subgraph as of a time, with the facts that mention its nodes or that its edges were learned from.
 */

export interface GraphServiceOptions {
  /** memory/graph.db, opened on first use. */
  graph: () => KnowledgeGraph;
  /** Relations that hold one value at a time unless an edge says otherwise ([memory] graph.exclusive_relations). */
  exclusiveRelations: readonly string[];
  /** Live facts of the agent whose text mentions one of `labels`, and the facts with these ids. */
  factsAbout: (agentId: string, labels: string[], factIds: string[]) => Promise<Fact[]>;
}

/** Nodes whose mentions are looked up for `about` (the nearest first). */
const ABOUT_MAX_NODES = 25;

export function createGraphService(options: GraphServiceOptions): Pick<MemoryService, "graphAddEdge" | "about"> {
  const exclusive = new Set(options.exclusiveRelations);
  return {
    async graphAddEdge(agentId, edge) {
      return options.graph().addEdge(agentId, { ...edge, exclusive: edge.exclusive ?? exclusive.has(edge.rel) });
    },
    async about(entity, o) {
      const subgraph = options.graph().traverse(o.agentId, entity, { depth: o.depth ?? 2, asOf: o.asOf, rels: o.rels });
      const labels = subgraph.nodes.slice(0, ABOUT_MAX_NODES).map((n) => n.label);
      const factIds = subgraph.edges.flatMap((e) => (e.factId ? [e.factId] : []));
      const facts = labels.length === 0 ? [] : await options.factsAbout(o.agentId, labels, factIds);
      return { ...subgraph, facts };
    },
  };
}
