import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import { FactStore, isStaleStore } from "./fact-store.js";

/* `aleph memory reindex`: a new table in the new space, switched to when complete, nothing dropped. */

const small = { model: HASH_EMBEDDER_MODEL, dimension: 32 };
const large = { model: HASH_EMBEDDER_MODEL, dimension: 96 };
const dir = () => join(mkdtempSync(join(tmpdir(), "aleph-rebuild-")), "memory", "facts.lance");
const texts = ["The user lives in Berlin", "The user likes green tea", "Project Atlas depends on libfoo", "The launch is on Friday"];

describe("reindex (rebuild)", () => {
  it("re-embeds every fact — forgotten ones too — into the new space, switches to it and drops the old table", async () => {
    const where = dir();
    const before = await FactStore.open(where, { space: small });
    const added = await before.addMany(texts.map((text) => ({ input: { agentId: "main", text, tags: ["t"] }, vector: hashEmbed(text, small.dimension) })));
    await before.forget(added[3]!.id);

    const paused = await FactStore.open(where, { space: large });
    expect(paused.vectorsUsable).toBe(false);
    const progress: [number, number][] = [];
    await paused.rebuild(large, async (batch) => batch.map((t) => hashEmbed(t, large.dimension)), (done, total) => progress.push([done, total]));
    expect(progress.at(-1)).toEqual([4, 4]);
    // The store that rebuilt is retired: a write through it would land in the table that was left.
    await expect(paused.add({ agentId: "main", text: "late" }, hashEmbed("late", large.dimension))).rejects.toSatisfy(isStaleStore);

    const after = await FactStore.open(where, { space: large });
    expect(after.vectorsUsable).toBe(true);
    const meta = JSON.parse(readFileSync(join(dirname(where), "facts.json"), "utf8")) as { dimension: number; table: string };
    expect(meta).toMatchObject({ model: HASH_EMBEDDER_MODEL, dimension: 96 });
    expect(readdirSync(where).filter((n) => n.endsWith(".lance"))).toEqual([`${meta.table}.lance`]);
    expect(await after.ids({ includeForgotten: true })).toEqual(added.map((a) => a.id).sort());
    const forgotten = (await after.get(added[3]!.id))!;
    expect(forgotten.invalidatedAt).not.toBeNull();
    expect(forgotten.tags).toEqual(["t"]);
    const near = await after.vectorCandidates(hashEmbed("green tea", large.dimension), { agentId: "main", limit: 1 });
    expect(near[0]!.id).toBe(added[1]!.id);
  }, 60_000);

  it("a reindex that died before its switch leaves the old table in use, and its half-built table goes at the next open", async () => {
    const where = dir();
    const store = await FactStore.open(where, { space: small });
    await store.add({ agentId: "main", text: texts[0]! }, hashEmbed(texts[0]!, small.dimension));
    // What a crash mid-rebuild leaves: a second table facts.json does not name.
    const lancedb = await import("@lancedb/lancedb");
    const db = await lancedb.connect(where);
    await db.createTable("facts-halfbuilt", [{ id: "x", vector: Array.from(hashEmbed("x", large.dimension)) }]);
    const reopened = await FactStore.open(where, { space: small });
    expect(reopened.vectorsUsable).toBe(true);
    expect(await reopened.count("main")).toBe(1);
    expect(await db.tableNames()).toEqual(["facts"]);
  }, 60_000);

  it("without facts.json (lost), the newest facts table is the one opened, and nothing is dropped", async () => {
    const where = dir();
    const store = await FactStore.open(where, { space: small });
    await store.add({ agentId: "main", text: texts[0]! }, hashEmbed(texts[0]!, small.dimension));
    const paused = await FactStore.open(where, { space: large });
    await paused.rebuild(large, async (batch) => batch.map((t) => hashEmbed(t, large.dimension)), () => undefined);
    const metaFile = join(dirname(where), "facts.json");
    const table = (JSON.parse(readFileSync(metaFile, "utf8")) as { table: string }).table;
    writeFileSync(metaFile, "not json");
    const reopened = await FactStore.open(where, { space: large });
    expect(await reopened.count("main")).toBe(1);
    expect(existsSync(join(where, `${table}.lance`))).toBe(true);
  }, 60_000);
});
