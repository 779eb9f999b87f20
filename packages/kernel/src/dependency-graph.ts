/** What the graph needs to know of a plugin: its id and its service declarations. */
export interface GraphNode {
  id: string;
  provides: readonly string[];
  requires: readonly string[];
  optional: readonly string[];
}

export interface LoadPlan {
  /** Every node not in a cycle, each after all providers of what it requires or optionally uses. */
  order: string[];
  /** Members of a `requires` cycle → the cycle, in order, to name in the error. */
  cycles: Map<string, string[]>;
  /**
   * Members of a cycle broken at an optional edge → the other members. Their optional use of
   * each other was dropped from the order, and a change of such a binding does not reload them.
   */
  optionalCycleMates: Map<string, Set<string>>;
}

type Edges = Map<string, Set<string>>;

/** Tarjan's algorithm: strongly connected components, each listed in discovery order. */
function stronglyConnected(ids: string[], edges: Edges): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.reverse());
    }
  };
  for (const id of ids) if (!indices.has(id)) visit(id);
  return out;
}

/** Edges "depends on": id → the ids providing a service it uses. */
function dependencyEdges(nodes: GraphNode[], kinds: ("requires" | "optional")[]): Edges {
  const providers = new Map<string, string[]>();
  for (const n of nodes) for (const s of n.provides) providers.set(s, [...(providers.get(s) ?? []), n.id]);
  const edges: Edges = new Map();
  for (const n of nodes) {
    const deps = new Set<string>();
    for (const kind of kinds) for (const s of n[kind]) for (const p of providers.get(s) ?? []) if (p !== n.id) deps.add(p);
    edges.set(n.id, deps);
  }
  return edges;
}

/**
 * The load order. The whole rule: a plugin loads after every provider of each service it
 * `requires` or lists as `optional`; a cycle of `requires` fails all its members; a cycle that
 * passes through an `optional` edge is broken by dropping the optional edges inside it; ties are
 * broken by id so the order is the same on every run. `priority` plays no part here — it only
 * chooses among providers of one service.
 */
export function planLoadOrder(nodes: GraphNode[]): LoadPlan {
  const ids = nodes.map((n) => n.id).sort();
  const required = dependencyEdges(nodes, ["requires"]);
  const cycles = new Map<string, string[]>();
  for (const component of stronglyConnected(ids, required)) {
    if (component.length > 1) for (const id of component) cycles.set(id, component);
  }
  const live = nodes.filter((n) => !cycles.has(n.id));
  const all = dependencyEdges(live, ["requires", "optional"]);
  const requiredLive = dependencyEdges(live, ["requires"]);
  const optionalCycleMates = new Map<string, Set<string>>();
  for (const component of stronglyConnected(live.map((n) => n.id).sort(), all)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    for (const id of component) optionalCycleMates.set(id, new Set(component.filter((m) => m !== id)));
    for (const id of component) {
      const kept = [...all.get(id)!].filter((dep) => !members.has(dep) || requiredLive.get(id)!.has(dep));
      all.set(id, new Set(kept));
    }
  }
  // Kahn's algorithm with a sorted ready list.
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, deps] of all) {
    remaining.set(id, deps.size);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
  }
  const ready = [...remaining].filter(([, n]) => n === 0).map(([id]) => id).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const d of dependents.get(id) ?? []) {
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0) {
        const at = ready.findIndex((r) => r > d);
        ready.splice(at < 0 ? ready.length : at, 0, d);
      }
    }
  }
  return { order, cycles, optionalCycleMates };
}
