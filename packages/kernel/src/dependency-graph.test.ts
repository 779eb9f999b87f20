import { describe, expect, it } from "vitest";
import { planLoadOrder, type GraphNode } from "./dependency-graph.js";

const node = (id: string, s: Partial<Omit<GraphNode, "id">> = {}): GraphNode => ({ id, provides: [], requires: [], optional: [], ...s });

describe("planLoadOrder", () => {
  it("loads every provider of a required service before its dependents", () => {
    const plan = planLoadOrder([
      node("agent", { requires: ["memory", "sessions"] }),
      node("memory", { provides: ["memory"], requires: ["sessions"] }),
      node("sessions", { provides: ["sessions"] }),
      node("memory-alt", { provides: ["memory"] }),
    ]);
    expect(plan.cycles.size).toBe(0);
    const at = (id: string) => plan.order.indexOf(id);
    expect(at("sessions")).toBeLessThan(at("memory"));
    expect(at("memory")).toBeLessThan(at("agent"));
    expect(at("memory-alt")).toBeLessThan(at("agent"));
  });

  it("orders independent plugins by id, the same on every run", () => {
    const nodes = [node("c"), node("a"), node("b")];
    expect(planLoadOrder(nodes).order).toEqual(["a", "b", "c"]);
    expect(planLoadOrder([...nodes].reverse()).order).toEqual(["a", "b", "c"]);
  });

  it("fails every member of a requires cycle and names the cycle, leaving the rest", () => {
    const plan = planLoadOrder([
      node("a", { provides: ["sa"], requires: ["sc"] }),
      node("b", { provides: ["sb"], requires: ["sa"] }),
      node("c", { provides: ["sc"], requires: ["sb"] }),
      node("free", { provides: ["x"] }),
    ]);
    expect([...plan.cycles.keys()].sort()).toEqual(["a", "b", "c"]);
    expect([...plan.cycles.get("a")!].sort()).toEqual(["a", "b", "c"]);
    expect(plan.order).toEqual(["free"]);
  });

  it("breaks a cycle that runs through an optional dependency instead of failing it", () => {
    const plan = planLoadOrder([node("a", { provides: ["sa"], optional: ["sb"] }), node("b", { provides: ["sb"], requires: ["sa"] })]);
    expect(plan.cycles.size).toBe(0);
    expect(plan.order).toEqual(["a", "b"]);
    expect(plan.optionalCycleMates.get("a")).toEqual(new Set(["b"]));
    expect(plan.optionalCycleMates.get("b")).toEqual(new Set(["a"]));
  });

  it("honours optional dependencies when they make no cycle", () => {
    const plan = planLoadOrder([node("a", { optional: ["sz"] }), node("z", { provides: ["sz"] })]);
    expect(plan.order).toEqual(["z", "a"]);
  });
});
