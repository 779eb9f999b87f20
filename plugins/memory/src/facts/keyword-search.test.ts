import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore } from "./fact-store.js";

const space = { model: HASH_EMBEDDER_MODEL, dimension: 384 };
const dir = () => join(mkdtempSync(join(tmpdir(), "aleph-fts-")), "memory", "facts.lance");

describe("keyword candidates", () => {
  it("ranks rows the full-text index has not taken in yet by their score, not by where they lie", async () => {
    const store = await FactStore.open(dir(), { space });
    const places = ["garden", "shed", "fence", "school", "harbour", "bakery", "station", "library", "market", "bridge", "museum", "park", "castle", "tower", "river", "forest", "valley", "hill", "lake", "field"];
    const filler = (i: number) => `visit ${i}: the ${places[i]} by the ${places[(i + 7) % 20]} had a zebra crossing, ${i * 13} steps from the ${places[(i + 3) % 20]}`;
    // Added one by one (fewer than the writes between compactions): none of them is indexed yet.
    for (let i = 0; i < 12; i++) await store.add({ agentId: "main", text: filler(i) }, hashEmbed(filler(i), 384));
    await store.add({ agentId: "main", text: "zebra zebra zebra" }, hashEmbed("zebra zebra zebra", 384));
    for (let i = 12; i < 20; i++) await store.add({ agentId: "main", text: filler(i) }, hashEmbed(filler(i), 384));
    // Once writes pause, the indexes take the rows in (LanceDB's search of unindexed rows is unreliable).
    const deadline = Date.now() + 15_000;
    let best = await store.keywordCandidates("zebra", { agentId: "main", limit: 1 });
    while (best.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      best = await store.keywordCandidates("zebra", { agentId: "main", limit: 1 });
    }
    expect(best).toHaveLength(1);
    const [fact] = await store.getMany([best[0]!.id]);
    expect(fact!.text).toBe("zebra zebra zebra");
    const five = await store.keywordCandidates("zebra", { agentId: "main", limit: 5 });
    expect(five.map((c) => c.keywordScore)).toEqual([...five.map((c) => c.keywordScore!)].sort((a, b) => b - a));
  }, 60_000);

  it("takes a query with double quotes (a phrase query the index cannot answer) as words", async () => {
    const store = await FactStore.open(dir(), { space });
    await store.add({ agentId: "main", text: 'The user calls the car "Bluebird"' }, hashEmbed("x", 384));
    await store.optimize();
    expect(await store.keywordCandidates('"Bluebird"', { agentId: "main", limit: 5 })).toHaveLength(1);
    expect(await store.keywordCandidates('"unclosed', { agentId: "main", limit: 5 })).toEqual([]);
    expect(await store.keywordCandidates('""', { agentId: "main", limit: 5 })).toEqual([]);
  }, 60_000);
});
