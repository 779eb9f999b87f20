import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore } from "../facts/fact-store.js";
import { searchFacts } from "./search.js";

const DIM = 128;
const embed = async (text: string) => hashEmbed(text, DIM);
const open = (space = { model: HASH_EMBEDDER_MODEL, dimension: DIM }, dir = join(mkdtempSync(join(tmpdir(), "aleph-search-")), "facts.lance")) => FactStore.open(dir, { space });

describe("hybrid search", () => {
  it("finds by meaning-ish (shared words and spelling) and by exact words, best first, within the filters", async () => {
    const store = await open();
    const facts = [
      { text: "The user lives in Berlin", tags: ["home"], category: "location" },
      { text: "The user's sister lives in Hamburg", tags: ["family"], category: "location" },
      { text: "Deploys go through the staging pipeline first", tags: ["work", "to_do"], category: "work" },
      { text: "The user prefers green tea in the morning", tags: ["taste"], category: "preference" },
      { text: "The user is allergic to peanuts", tags: ["health"], category: "health" },
    ];
    for (const f of facts) await store.add({ agentId: "main", ...f }, await embed(f.text));
    await store.add({ agentId: "other", text: "The user lives in Paris" }, await embed("The user lives in Paris"));

    const top = await searchFacts(store, embed, { agentId: "main", text: "where does the user live", k: 2 });
    expect(top.map((h) => h.fact.text)).toEqual(["The user lives in Berlin", "The user's sister lives in Hamburg"]);
    expect(top[0]!.score).toBeGreaterThan(top[1]!.score);
    expect((await searchFacts(store, embed, { agentId: "main", text: "deployment pipeline", k: 1 }))[0]!.fact.text).toMatch(/staging pipeline/);
    expect((await searchFacts(store, embed, { agentId: "main", text: "peanuts", k: 1, mode: "keyword" }))[0]!.fact.text).toMatch(/peanuts/);
    // Filters, applied before the search.
    expect((await searchFacts(store, embed, { agentId: "main", text: "lives", k: 5, category: "location", tags: ["family"] })).map((h) => h.fact.text)).toEqual(["The user's sister lives in Hamburg"]);
    expect((await searchFacts(store, embed, { agentId: "main", text: "anything", k: 5, tags: ["to_do"] })).map((h) => h.fact.text)).toEqual(["Deploys go through the staging pipeline first"]);
    expect(await searchFacts(store, embed, { agentId: "main", text: "anything", k: 5, tags: ["toxdo"] })).toEqual([]); // _ is no wildcard
    expect((await searchFacts(store, embed, { agentId: "other", text: "Berlin", k: 5 })).map((h) => h.fact.text)).toEqual(["The user lives in Paris"]);
  }, 60_000);

  it("returns k facts when k match, even with vector search paused and no word in common", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "aleph-search-")), "facts.lance");
    const store = await open(undefined, dir);
    for (const t of ["alpha one", "beta two", "gamma three", "delta four"]) await store.add({ agentId: "main", text: t }, await embed(t));
    const paused = await open({ model: "provider:other", dimension: 8 }, dir);
    expect(paused.vectorsUsable).toBe(false);
    const hits = await searchFacts(paused, async () => new Float32Array(8), { agentId: "main", text: "zzz", k: 3 });
    expect(hits).toHaveLength(3);
    expect(await searchFacts(paused, async () => new Float32Array(8), { agentId: "nobody", text: "zzz", k: 3 })).toEqual([]);
  }, 60_000);
});
