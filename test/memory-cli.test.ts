/*
 * `aleph memory …` end to end: the real CLI, the bundled memory plugin, real LanceDB and SQLite on
 * temp roots — without a kernel (a kernel in the command's process) and through a running one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";
import type { MemoryHit } from "./support/memory.js";

type Hit = MemoryHit;

const ok = async (ws: Workspace, args: string[]) => {
  const result = await runCli(ws, args);
  expect(result.code, `aleph ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result.stdout;
};

describe("aleph memory", () => {
  test("add, duplicate, search --json, list, forget by text (ambiguous → the candidates), pin, stats — without a kernel", async () => {
    const ws = createWorkspace();
    const added = await runCliJson<{ id: string; outcome: string }>(ws, ["memory", "add", "The user's daughter is called Mia", "--tags", "family,kids", "--importance", "0.9", "--json"]);
    expect(added.outcome).toBe("added");
    expect(added.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await ok(ws, ["memory", "add", "the user's daughter is called   Mia"])).toBe(`Already known (duplicate of) ${added.id}\n`);
    await ok(ws, ["memory", "add", "The user drinks green tea every morning"]);
    await ok(ws, ["memory", "add", "The office tea kitchen is on floor 3", "--agent", "ops"]);

    const hits = await runCliJson<Hit[]>(ws, ["memory", "search", "daughter", "--json", "--k", "2"]);
    expect(hits).toHaveLength(2); // k results when k facts match
    expect(hits[0]).toMatchObject({ id: added.id, text: "The user's daughter is called Mia", sources: ["cli"], tags: ["family", "kids"] });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    // Another agent's facts never show.
    expect((await runCliJson<Hit[]>(ws, ["memory", "search", "tea", "--json"])).map((h) => h.text)).toEqual(["The user drinks green tea every morning", "The user's daughter is called Mia"]);
    expect((await runCliJson<Hit[]>(ws, ["memory", "search", "tea", "--json", "--agent", "ops"])).map((h) => h.text)).toEqual(["The office tea kitchen is on floor 3"]);
    expect((await runCliJson<Hit[]>(ws, ["memory", "search", "tea", "--json", "--tags", "family"])).map((h) => h.text)).toEqual(["The user's daughter is called Mia"]);

    const ambiguous = await runCli(ws, ["memory", "forget", "The user"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/"The user" is in 2 facts/);
    expect(ambiguous.stderr).toContain(added.id);
    expect(await ok(ws, ["memory", "forget", "green tea"])).toMatch(/^Forgotten [0-9A-Z]{26}: The user drinks green tea every morning\n$/);
    expect((await runCli(ws, ["memory", "forget", "green tea"])).code).toBe(1);

    expect(await ok(ws, ["memory", "pin", added.id])).toBe(`Pinned ${added.id}\n`);
    const pinned = await runCli(ws, ["memory", "pin", "01AAAAAAAAAAAAAAAAAAAAAAAA"]);
    expect(pinned.code).toBe(1);
    const stats = await runCliJson(ws, ["memory", "stats", "--json"]);
    expect(stats).toMatchObject({ live: 1, forgotten: 1, pinned: 1, space: { model: "hash-v1", dimension: 384 }, vectorsUsable: true });
    expect((await runCliJson<{ text: string }[]>(ws, ["memory", "list", "--json"])).map((f) => f.text)).toEqual(["The user's daughter is called Mia"]);

    // Usage mistakes: exit 2 with a pointer to --help.
    for (const args of [["memory", "add"], ["memory", "search", "x", "--k", "0"], ["memory", "add", "x", "--importance", "2"], ["memory", "add", "x", "--agent", "Not An Id"]]) {
      const r = await runCli(ws, args);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });

  test("import: bad lines reported by number and skipped, nothing else lost; export → import round trip; through a running kernel", async () => {
    const ws = createWorkspace();
    const file = join(ws.cwd, "facts.jsonl");
    writeFileSync(
      file,
      [
        '{"text": "The user lives in Berlin", "tags": ["home"], "created_at": "2026-01-05T10:00:00Z"}',
        '{"text": "Project Atlas depends on libfoo", "agent": "ops", "source": "wiki"}',
        "not json",
        '{"text": ""}',
        '{"text": "x", "colour": "red"}',
        '{"text": "The user works at Acme", "created_at": 1767225600000, "importance": 0.8}',
        '{"text": "the user lives in berlin"}',
      ].join("\n"),
    );
    const kernel = await startReadyKernel(ws);
    const result = await runCli(ws, ["memory", "import", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`Imported 4 facts from ${file}: 3 added, 1 duplicate, 0 merged; 3 bad lines skipped\n`);
    expect(result.stderr).toContain(`${file}:3: skipped: not JSON`);
    expect(result.stderr).toContain(`${file}:4: skipped: "text" is missing or empty`);
    expect(result.stderr).toContain(`${file}:5: skipped: unknown field "colour"`);
    const berlin = (await runCliJson<Hit[]>(ws, ["memory", "search", "Berlin", "--json", "--k", "1"]))[0]!;
    expect(berlin).toMatchObject({ text: "The user lives in Berlin", createdAt: Date.parse("2026-01-05T10:00:00Z"), sources: ["import"] });

    const out = join(ws.cwd, "out.jsonl");
    expect(await ok(ws, ["memory", "export", "--out", out])).toBe(`Exported 3 facts to ${out}\n`);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { text: string; agent: string });
    expect(lines.map((l) => `${l.agent}: ${l.text}`).sort()).toEqual(["main: The user lives in Berlin", "main: The user works at Acme", "ops: Project Atlas depends on libfoo"]);
    await kernel.stop();

    // Into a fresh root, without a kernel: the same facts, nothing lost or doubled.
    const other = createWorkspace();
    const again = await runCliJson<{ lines: number; added: number; duplicate: number; skipped: unknown[] }>(other, ["memory", "import", out, "--json"]);
    expect(again).toEqual({ lines: 3, added: 3, duplicate: 0, merged: 0, skipped: [] });
    const exported = (await ok(other, ["memory", "export", "--agent", "ops"])).trim().split("\n");
    expect(exported.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual(["Project Atlas depends on libfoo"]);
  });

  test("a changed embedder pauses vector search (keyword search goes on, stats says why) until reindex", async () => {
    const ws = createWorkspace();
    await ok(ws, ["memory", "add", "The user's bike is a green Brompton"]);
    await ok(ws, ["memory", "add", "The user cycles to work on Tuesdays"]);
    ws.writeConfig("[memory]\nhash_dimension = 128\n");
    expect(await ok(ws, ["memory", "stats"])).toMatch(/Vector search: PAUSED — the embedder changed[\s\S]*aleph memory reindex/);
    expect((await runCliJson<Hit[]>(ws, ["memory", "search", "Brompton", "--json", "--k", "1"]))[0]!.text).toBe("The user's bike is a green Brompton");
    const doctor = await runCli(ws, ["doctor"]);
    expect(doctor.stdout + doctor.stderr).toMatch(/vector search is paused[\s\S]*aleph memory reindex/);

    expect(await ok(ws, ["memory", "reindex"])).toBe("Reindexed 2 facts with hash-v1 (128 dimensions); vector search is on.\n");
    expect(await runCliJson(ws, ["memory", "stats", "--json"])).toMatchObject({ live: 2, space: { dimension: 128 }, vectorsUsable: true });
    const found = await runCliJson<Hit[]>(ws, ["memory", "search", "green Brompton bike", "--json", "--k", "1"]);
    expect(found[0]!.text).toBe("The user's bike is a green Brompton");
  });

  test("graph: add-edge, an exclusive relation closes the old value, show --as-of and --json", async () => {
    const ws = createWorkspace();
    await ok(ws, ["memory", "add", "Project Atlas ships in June"]);
    expect(await ok(ws, ["memory", "graph", "add-edge", "Project Atlas", "depends_on", "libfoo"])).toMatch(/^Added Project Atlas —depends_on→ libfoo \(edge 1, true from .+\)\n$/);
    await ok(ws, ["memory", "graph", "add-edge", "user", "lives_in", "Berlin", "--valid-at", "2026-01-05"]);
    expect(await ok(ws, ["memory", "graph", "add-edge", "user", "lives_in", "Paris", "--valid-at", "2026-06-01"])).toMatch(/Closed edge 2: no longer true from 2026-06-01T00:00:00Z/);
    expect(await ok(ws, ["memory", "graph", "show", "user", "--as-of", "2026-03-01"])).toMatch(/user —lives_in→ Berlin {2}\(from 2026-01-05T00:00:00Z until 2026-06-01T00:00:00Z\)/);
    expect(await ok(ws, ["memory", "graph", "show", "user"])).toMatch(/user —lives_in→ Paris/);
    const about = await runCliJson<{ nodes: { label: string }[]; facts: { text: string }[] }>(ws, ["memory", "graph", "show", "project atlas", "--json"]);
    expect(about.nodes.map((n) => n.label)).toEqual(["Project Atlas", "libfoo"]);
    expect(about.facts.map((f) => f.text)).toEqual(["Project Atlas ships in June"]);
    const unknown = await runCli(ws, ["memory", "graph", "show", "nobody"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/Nothing is known about "nobody"/);
    const badRel = await runCli(ws, ["memory", "graph", "add-edge", "a", "Lives In", "b"]);
    expect(badRel.code).toBe(1);
    expect(badRel.stderr).toMatch(/is not a relation name/);
    const badTime = await runCli(ws, ["memory", "graph", "show", "user", "--as-of", "last tuesday"]);
    expect(badTime.code).toBe(2);
  });
});
