import { describe, expect, it } from "vitest";
import { MAX_DESCRIPTION_CHARS, toolSpecs, toParameters } from "./tool-specs.js";

describe("toolSpecs", () => {
  it("names the server and the original tool in the description, and keeps the original for the call", () => {
    const [spec] = toolSpecs("everything", [{ name: "getSum", description: "Adds two numbers", inputSchema: { type: "object", properties: { a: { type: "number" } } } }]);
    expect(spec).toEqual({
      name: "everything__get_sum",
      original: "getSum",
      description: 'Adds two numbers (MCP server "everything", tool "getSum")',
      parameters: { type: "object", properties: { a: { type: "number" } } },
    });
  });

  it("falls back on the title when there is no description, and cuts very long descriptions", () => {
    const [titled, long] = toolSpecs("s", [
      { name: "t", title: "A titled tool", inputSchema: { type: "object" } },
      { name: "u", description: "d".repeat(MAX_DESCRIPTION_CHARS + 50), inputSchema: { type: "object" } },
    ]);
    expect(titled!.description).toBe('A titled tool (MCP server "s", tool "t")');
    expect(long!.description.length).toBeLessThan(MAX_DESCRIPTION_CHARS + 60);
  });

  it("drops $schema and adds type object when the server left it out; keeps anything else as written", () => {
    expect(toParameters({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { x: { type: "string" } }, required: ["x"] })).toEqual({
      type: "object",
      properties: { x: { type: "string" } },
      required: ["x"],
    });
    expect(toParameters({ properties: {} })).toEqual({ type: "object", properties: {} });
    expect(toParameters(undefined)).toEqual({ type: "object" });
    expect(toParameters({ type: "array" })).toEqual({ type: "array" });
  });

  it("marks a tool that runs only as an MCP task as not offered, saying why", () => {
    const [task, plain] = toolSpecs("s", [
      { name: "research", inputSchema: { type: "object" }, execution: { taskSupport: "required" } },
      { name: "quick", inputSchema: { type: "object" }, execution: { taskSupport: "optional" } },
    ]);
    expect(task!.unsupported).toMatch(/only as an MCP task/);
    expect(plain!.unsupported).toBeUndefined();
  });

  it("takes a name listed twice once", () => {
    expect(toolSpecs("s", [{ name: "a" }, { name: "a" }])).toHaveLength(1);
  });
});
