import { describe, expect, it } from "vitest";
import { createToolRegistry } from "../src/tool-registry.js";

const wordCount = {
  name: "word_count",
  description: "Counts words",
  parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false },
  handler: ({ text }: { text: string }) => ({ count: text.split(/\s+/).filter(Boolean).length }),
};

describe("tool registry", () => {
  it("registers, lists and calls a tool with valid arguments", async () => {
    const tools = createToolRegistry();
    tools.register(wordCount, "hello-node");
    expect(tools.list()).toEqual([{ name: "word_count", description: "Counts words", parameters: wordCount.parameters, plugin: "hello-node" }]);
    await expect(tools.call("word_count", { text: "one two  three" })).resolves.toEqual({ count: 3 });
  });

  it("refuses arguments that do not match the schema, saying where and why", async () => {
    const tools = createToolRegistry();
    tools.register(wordCount, "p");
    await expect(tools.call("word_count", { text: 42 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/args\/text: Instance type "number" is invalid/) });
    await expect(tools.call("word_count", {})).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/required property "text"/) });
    await expect(tools.call("word_count", { text: "a", extra: 1 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(tools.call("word_count", "not an object")).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
  });

  it("names the registered tools when asked for an unknown one", async () => {
    const tools = createToolRegistry();
    tools.register(wordCount, "p");
    await expect(tools.call("word_cont", {})).rejects.toMatchObject({ code: "ALEPH_E_TOOL", message: 'no tool named "word_cont" (registered: word_count)' });
  });

  it("refuses bad definitions and duplicate names", () => {
    const tools = createToolRegistry();
    tools.register(wordCount, "first");
    expect(() => tools.register(wordCount, "second")).toThrow(/already registered by plugin "first"/);
    expect(() => tools.register({ ...wordCount, name: "Bad-Name" }, "p")).toThrow(/snake_case/);
    expect(() => tools.register({ ...wordCount, name: "x", description: " " }, "p")).toThrow(/no description/);
    expect(() => tools.register({ ...wordCount, name: "y", parameters: { type: "string" } }, "p")).toThrow(/type "object"/);
  });

  it("unregisters through the returned disposable, and a stale disposable leaves a newer tool alone", async () => {
    const tools = createToolRegistry();
    const first = tools.register(wordCount, "a");
    await first.dispose();
    expect(tools.list()).toEqual([]);
    tools.register(wordCount, "b");
    await first.dispose();
    expect(tools.list().map((t) => t.plugin)).toEqual(["b"]);
  });

  it("wraps a handler's failure with the tool and plugin names", async () => {
    const tools = createToolRegistry();
    tools.register({ ...wordCount, name: "boom", handler: () => { throw new Error("kaput"); } }, "p");
    await expect(tools.call("boom", { text: "x" })).rejects.toMatchObject({ code: "ALEPH_E_TOOL", message: 'tool "boom" (plugin "p") failed: kaput' });
  });
});

describe("tools still coming (pending / settled)", () => {
  it("settles at once with nothing pending, and waits for pending work — never rejecting when it fails", async () => {
    const tools = createToolRegistry();
    await tools.settled(10_000); // would time the test out if it waited
    let finish!: () => void;
    const connecting = new Promise<void>((resolve) => (finish = resolve));
    tools.pending(connecting.then(() => void tools.register({ ...wordCount, name: "late" }, "mcp")), "mcp");
    tools.pending(Promise.reject(new Error("server failed")), "mcp");
    const settled = tools.settled(10_000);
    let done = false;
    void settled.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    finish();
    await settled;
    expect(tools.list().map((t) => t.name)).toContain("late");
    await tools.settled(10_000); // nothing pending any more
  });

  it("stops waiting after the timeout when work hangs", async () => {
    const tools = createToolRegistry();
    tools.pending(new Promise(() => {}), "stuck");
    const started = performance.now();
    await tools.settled(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
