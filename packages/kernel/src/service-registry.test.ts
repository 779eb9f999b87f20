import { describe, expect, it } from "vitest";
import { ServiceRegistry, type ServiceProvider } from "./service-registry.js";

const provider = (pluginId: string, priority: number, source: ServiceProvider["source"] = "user"): ServiceProvider => ({
  serviceId: "memory",
  pluginId,
  generation: 1,
  priority,
  source,
  implementation: { name: pluginId },
});

describe("ServiceRegistry", () => {
  it("binds the highest priority, then the stronger source, then the id", () => {
    const r = new ServiceRegistry();
    r.add(provider("low", 1));
    r.add(provider("high", 10));
    expect(r.bound("memory")?.pluginId).toBe("high");
    const r2 = new ServiceRegistry();
    r2.add(provider("bundled-one", 0, "bundled"));
    r2.add(provider("user-one", 0, "user"));
    expect(r2.bound("memory")?.pluginId).toBe("user-one");
    const r3 = new ServiceRegistry();
    r3.add(provider("b", 0));
    r3.add(provider("a", 0));
    expect(r3.bound("memory")?.pluginId).toBe("a");
  });

  it("fails over to the next provider when the bound one is withdrawn, and to none after the last", () => {
    const r = new ServiceRegistry();
    const high = r.add(provider("high", 10));
    const low = r.add(provider("low", 1));
    void high.dispose();
    expect(r.bound("memory")?.pluginId).toBe("low");
    void low.dispose();
    expect(r.bound("memory")).toBeUndefined();
    expect(r.list()).toEqual([]);
  });

  it("lists services with their bound provider and every provider", () => {
    const r = new ServiceRegistry();
    r.add(provider("low", 1));
    r.add(provider("high", 10));
    expect(r.list()).toEqual([
      { id: "memory", boundTo: "high", providers: [{ plugin: "high", priority: 10, source: "user" }, { plugin: "low", priority: 1, source: "user" }] },
    ]);
    expect(r.providedBy("low")).toEqual(["memory"]);
  });
});
