import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FactStore } from "../facts/fact-store.js";
import { hashEmbeddings } from "./embeddings.js";
import { createMemoryService } from "./memory-service.js";

function service(maxFacts = 100) {
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  const dir = join(mkdtempSync(join(tmpdir(), "aleph-memsvc-")), "memory", "facts.lance");
  let opened = 0;
  const memory = createMemoryService({
    openStore: (space) => {
      opened++;
      return FactStore.open(dir, { space });
    },
    embeddings: hashEmbeddings(64),
    maxFacts,
    events: { emit: (event, payload) => void events.push({ event, payload }) },
  });
  return { memory, events, opened: () => opened };
}

describe("memory service", () => {
  it("adds, finds and announces facts; opens the table once, on first use", async () => {
    const { memory, events, opened } = service();
    expect(opened()).toBe(0);
    const added = await memory.add({ agentId: "main", text: "The user lives in Berlin", source: "cli" });
    expect(await memory.add({ agentId: "main", text: "the user lives in berlin" })).toEqual({ id: added.id, outcome: "duplicate" });
    await memory.add({ agentId: "main", text: "The user plays the cello" });
    expect(opened()).toBe(1);
    const hits = await memory.search("where does the user live", { agentId: "main", k: 1 });
    expect(hits.map((h) => h.fact.text)).toEqual(["The user lives in Berlin"]);
    expect(events.filter((e) => e.event === "memory.fact.added")).toHaveLength(2);
    expect((await memory.list({ agentId: "main" })).map((f) => f.text)).toEqual(["The user plays the cello", "The user lives in Berlin"]);
  }, 60_000);

  it("evicts past max_facts and says so for each fact, never silently", async () => {
    const { memory, events } = service(2);
    for (const text of ["first fact here", "second fact there", "third fact elsewhere"]) await memory.add({ agentId: "main", text });
    const evicted = events.filter((e) => e.event === "memory.fact.forgotten");
    expect(evicted).toHaveLength(1);
    expect(evicted[0]!.payload).toMatchObject({ agentId: "main", reason: "evicted" });
    expect((await memory.stats("main")).live).toBe(2);
  }, 60_000);

  it("forgets by id or by a text only one fact contains, listing the candidates otherwise", async () => {
    const { memory, events } = service();
    const tea = await memory.add({ agentId: "main", text: "Likes green tea" });
    await memory.add({ agentId: "main", text: "Likes black tea in winter" });
    await memory.add({ agentId: "main", text: "Owns a bicycle" });
    await expect(memory.forget({ agentId: "main", match: "tea" })).rejects.toThrow(/"tea" is in 2 facts/);
    await expect(memory.forget({ agentId: "main", match: "piano" })).rejects.toThrow(/no fact of agent "main" contains "piano"/);
    expect((await memory.forget({ agentId: "main", match: "bicycle" })).text).toBe("Owns a bicycle");
    expect((await memory.forget({ id: tea.id })).id).toBe(tea.id);
    await expect(memory.forget({ id: tea.id })).rejects.toThrow(/no live fact/);
    expect(events.filter((e) => e.event === "memory.fact.forgotten").map((e) => e.payload.reason)).toEqual(["forgotten", "forgotten"]);
    expect((await memory.search("tea", { agentId: "main", k: 5 })).map((h) => h.fact.text)).toEqual(["Likes black tea in winter"]);
  }, 60_000);

  it("tries to open the table again after a failed open", async () => {
    let attempts = 0;
    const dir = join(mkdtempSync(join(tmpdir(), "aleph-memsvc-")), "facts.lance");
    const memory = createMemoryService({
      openStore: (space) => (++attempts === 1 ? Promise.reject(new Error("disk not ready")) : FactStore.open(dir, { space })),
      embeddings: hashEmbeddings(32),
      maxFacts: 10,
      events: { emit: () => undefined },
    });
    await expect(memory.stats("main")).rejects.toThrow(/disk not ready/);
    expect((await memory.stats("main")).live).toBe(0);
  }, 60_000);
});
