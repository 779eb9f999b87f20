import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { embeddingsRef, memoryRef } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance } from "@aleph/testing";

const memoryDir = fileURLToPath(new URL("..", import.meta.url));

describe("the memory plugin in a kernel", () => {
  it("passes the conformance kit", async () => {
    const result = await runPluginConformance(memoryDir);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  }, 60_000);

  it("opens nothing at setup, then remembers and finds facts through its service, announcing them", async () => {
    await using kernel = await createTestKernel({ plugins: [memoryDir], config: { memory: { hash_dimension: 64, max_facts: 10 } } });
    expect(kernel.plugin("memory")?.status).toBe("active");
    expect(existsSync(join(kernel.root, "memory"))).toBe(false); // nothing opened until first use
    const memory = kernel.service(memoryRef)!;
    const added = await memory.add({ agentId: "main", text: "The user lives in Berlin", source: "test" });
    expect(added.outcome).toBe("added");
    expect(existsSync(join(kernel.root, "memory", "facts.lance"))).toBe(true);
    expect((await memory.search("where does the user live", { agentId: "main", k: 1 }))[0]!.fact.text).toBe("The user lives in Berlin");
    expect(kernel.eventsNamed("memory.fact.added")).toEqual([{ id: added.id, agentId: "main", scope: "agent" }]);
    expect(kernel.service(embeddingsRef)!.model).toBe("hash-v1");
    expect(await kernel.service(embeddingsRef)!.dimension()).toBe(64);
  }, 60_000);

  it("refuses a bad [memory] section with the key and what it takes", async () => {
    await using kernel = await createTestKernel({ plugins: [memoryDir], config: { memory: { embedder: "openai" } } });
    const info = kernel.plugin("memory");
    expect(info?.status).toBe("failed");
    expect(info?.error?.message).toMatch(/embedder/);
    expect(info?.error?.message).toMatch(/provider:<name/);
  }, 60_000);
});
