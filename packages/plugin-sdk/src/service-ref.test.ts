import { describe, expect, it } from "vitest";
import { createServiceRef, serviceIdOf } from "./service-ref.js";
import { definePlugin, isPluginDefinition } from "./define-plugin.js";

describe("service refs", () => {
  it("are plain frozen objects matched by their id", () => {
    const a = createServiceRef<{ x: number }>("memory");
    const b = createServiceRef<{ x: number }>("memory");
    expect(a).not.toBe(b);
    expect(serviceIdOf(a)).toBe(serviceIdOf(b));
    expect(serviceIdOf("memory")).toBe("memory");
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("refuse ids that are not service ids", () => {
    expect(() => createServiceRef("Bad Id")).toThrow(/must match/);
    expect(() => createServiceRef("")).toThrow(/must match/);
  });
});

describe("definePlugin", () => {
  it("returns the plugin object unchanged", () => {
    const plugin = { setup() {} };
    expect(definePlugin(plugin)).toBe(plugin);
    expect(isPluginDefinition(plugin)).toBe(true);
    expect(isPluginDefinition({ setup: 1 })).toBe(false);
    expect(isPluginDefinition(null)).toBe(false);
  });
});
