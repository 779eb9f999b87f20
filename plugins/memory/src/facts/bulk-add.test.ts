import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore } from "./fact-store.js";

const DIM = 64;
const space = { model: HASH_EMBEDDER_MODEL, dimension: DIM };
const dir = () => join(mkdtempSync(join(tmpdir(), "aleph-bulk-")), "memory", "facts.lance");
const item = (text: string, agentId = "main") => ({ input: { agentId, text }, vector: hashEmbed(text, DIM) });

describe("bulk add between calls", () => {
  it("merges a near repeat of a fact an earlier call added, in the same agent and scope only", async () => {
    const store = await FactStore.open(dir(), { space, nearDuplicate: 0.8 });
    const [first] = await store.addMany([item("The user lives in Berlin"), item("Kavya deploys the billing service")]);
    const again = await store.addMany([item("The user lives in Berlin now"), item("The user lives in Berlin now", "other")]);
    expect(again).toEqual([{ id: first!.id, outcome: "merged" }, { id: expect.any(String), outcome: "added" }]);
    // A third call sees the second's new fact of "other".
    expect((await store.addMany([item("the user lives in Berlin now!", "other")]))[0]).toEqual({ id: again[1]!.id, outcome: "duplicate" });
    expect((await store.addMany([item("The user lives in Berlin now, really", "other")]))[0]).toEqual({ id: again[1]!.id, outcome: "merged" });
  }, 60_000);

  it("sees what other writes changed since the last call: a forgotten fact takes no repeat, a single add takes one", async () => {
    const store = await FactStore.open(dir(), { space, nearDuplicate: 0.8 });
    const [berlin] = await store.addMany([item("The user lives in Berlin")]);
    expect(await store.forget(berlin!.id)).toBe(true);
    const [after] = await store.addMany([item("The user lives in Berlin now")]);
    expect(after!.outcome).toBe("added");
    const single = await store.add({ agentId: "main", text: "Kavya deploys the billing service" }, hashEmbed("Kavya deploys the billing service", DIM));
    expect((await store.addMany([item("Kavya deploys the billing service today")]))[0]).toEqual({ id: single.id, outcome: "merged" });
    const evicted = await store.evictOver("main", 1);
    expect(evicted).toHaveLength(1);
    const survivor = (await store.ids({ agentId: "main" }))[0]!;
    const victimText = evicted[0] === after!.id ? "The user lives in Berlin now, really" : "Kavya deploys the billing service today, really";
    const outcome = (await store.addMany([item(victimText)]))[0]!;
    expect(outcome.outcome).toBe("added"); // not merged into the evicted fact
    expect(outcome.id).not.toBe(survivor);
    await store.close();
  }, 60_000);
});
