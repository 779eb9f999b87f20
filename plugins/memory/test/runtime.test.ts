/*
 * The memory runtime as the plugin builds it (createMemory: real LanceDB, real SQLite, the hash
 * embedder) under the parts that drive it: the notes indexer, the curated files, the graph's
 * `about`, and auto-extract's cursor across an archived session.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Logger, SessionInfo, SessionMessage, SessionsService } from "@aleph/plugin-sdk";
import { memoryConfigSchema } from "../src/config.js";
import { AutoExtractor } from "../src/extract/auto-extract.js";
import { NotesIndexer } from "../src/notes/notes-indexer.js";
import { createMemory } from "../src/runtime.js";

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function setup(config: Record<string, unknown> = {}) {
  const base = mkdtempSync(join(tmpdir(), "aleph-memrt-"));
  const workspace = join(base, "workspace");
  mkdirSync(workspace, { recursive: true });
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  const runtime = createMemory({
    dir: join(base, "memory"),
    config: memoryConfigSchema.parse(config),
    providers: () => undefined,
    events: { emit: (event, payload) => void events.push({ event, payload }) },
    workspaceDir: async (agentId) => {
      if (agentId !== "main") throw new Error(`no agent ${agentId}`);
      return workspace;
    },
  });
  return { base, workspace, events, memory: runtime.memory, close: runtime.close };
}

describe("daily notes indexed as facts", () => {
  it("indexes only what changed, forgets removed chunks, and forgets a deleted file's facts", async () => {
    const { base, workspace, memory } = setup();
    const notes = new NotesIndexer({ stateFile: join(base, "memory", "notes-index.json"), memory: () => memory, log: quiet });
    const dir = join(workspace, "memory");
    mkdirSync(dir);
    const file = join(dir, "2026-05-01.md");
    writeFileSync(file, "# Morning\n\nRan 5 km along the river.\n\n# Evening\n\nCooked a mushroom risotto.\n");
    writeFileSync(join(dir, "not-a-note.md"), "ignored");
    expect(notes.changed(workspace)).toEqual([file]);
    await notes.index("main", notes.changed(workspace));
    expect(notes.changed(workspace)).toEqual([]);
    const listed = await memory.list({ agentId: "main", scope: "notes", limit: 10 });
    expect(listed.map((f) => f.text).sort()).toEqual(["# Evening\n\nCooked a mushroom risotto.", "# Morning\n\nRan 5 km along the river."]);
    expect(listed[0]!.createdAt).toBe(Date.parse("2026-05-01T12:00:00Z"));

    // A second indexer (the next start) reads the state file: nothing to do.
    expect(new NotesIndexer({ stateFile: join(base, "memory", "notes-index.json"), memory: () => memory, log: quiet }).changed(workspace)).toEqual([]);

    writeFileSync(file, "# Morning\n\nRan 5 km along the river.\n\n# Evening\n\nOrdered pizza instead.\n");
    await notes.index("main", notes.changed(workspace));
    expect((await memory.list({ agentId: "main", scope: "notes", limit: 10 })).map((f) => f.text).sort()).toEqual(["# Evening\n\nOrdered pizza instead.", "# Morning\n\nRan 5 km along the river."]);

    rmSync(file);
    expect(notes.changed(workspace)).toEqual([file]);
    await notes.index("main", notes.changed(workspace));
    expect(await memory.list({ agentId: "main", scope: "notes", limit: 10 })).toEqual([]);
    expect(JSON.parse(readFileSync(join(base, "memory", "notes-index.json"), "utf8"))).toEqual({});
  }, 60_000);
});

describe("curated files through the service", () => {
  it("adds, replaces and removes entries within the configured limits; a full file is an error that writes nothing", async () => {
    const { workspace, memory } = setup({ curated: { user_chars: 200, entry_chars: 80 } });
    writeFileSync(join(workspace, "USER.md"), "Name: Ada\n");
    await memory.curate("main", { file: "USER.md", action: "add", text: "Prefers tea." });
    const view = await memory.curate("main", { file: "USER.md", action: "replace", match: "tea", text: "Prefers green tea." });
    expect(view.entries).toEqual(["Name: Ada", "Prefers green tea."]);
    expect(readFileSync(join(workspace, "USER.md"), "utf8")).toBe("Name: Ada\n§\nPrefers green tea.\n");
    await expect(memory.curate("main", { file: "USER.md", action: "add", text: "x".repeat(81) })).rejects.toThrow(/80/);
    for (let i = 0; i < 2; i++) await memory.curate("main", { file: "USER.md", action: "add", text: `Entry number ${i} ${"y".repeat(40)}` });
    const before = readFileSync(join(workspace, "USER.md"), "utf8");
    await expect(memory.curate("main", { file: "USER.md", action: "add", text: `One more ${"z".repeat(60)}` })).rejects.toThrow(/200/);
    expect(readFileSync(join(workspace, "USER.md"), "utf8")).toBe(before);
    await expect(memory.curate("main", { file: "USER.md", action: "remove", match: "Entry number" })).rejects.toThrow(/2 entries/);
    await expect(memory.curate("main", { file: "SOUL.md" as "USER.md", action: "add", text: "x" })).rejects.toThrow(/not a curated file/);
    await expect(memory.curate("other", { file: "USER.md", action: "add", text: "x" })).rejects.toThrow(/no agent other/);
    expect((await memory.curated("main", "MEMORY.md")).entries).toEqual([]);
  }, 60_000);
});

describe("the knowledge graph through the service", () => {
  it("closes an exclusive relation's old value, answers as of a time, and finds the facts that mention the nodes", async () => {
    const { memory, close } = setup();
    const fact = await memory.add({ agentId: "main", text: "Project Atlas ships in June and uses libfoo" });
    await memory.add({ agentId: "main", text: "Nothing to do with anything" });
    await memory.graphAddEdge("main", { src: "Project Atlas", rel: "depends_on", dst: "libfoo", factId: fact.id });
    await memory.graphAddEdge("main", { src: "libfoo", rel: "depends_on", dst: "zlib" });
    await memory.graphAddEdge("main", { src: "user", rel: "lives_in", dst: "Berlin", validAt: Date.parse("2026-01-01") });
    const moved = await memory.graphAddEdge("main", { src: "user", rel: "lives_in", dst: "Paris", validAt: Date.parse("2026-06-01") });
    expect(moved.invalidated.map((e) => e.invalidAt)).toEqual([Date.parse("2026-06-01")]);
    // Not exclusive when the config does not list it (or the call says so).
    expect((await memory.graphAddEdge("main", { src: "user", rel: "likes", dst: "tea" })).invalidated).toEqual([]);
    expect((await memory.graphAddEdge("main", { src: "user", rel: "likes", dst: "coffee" })).invalidated).toEqual([]);

    const about = await memory.about("project atlas", { agentId: "main", depth: 2 });
    expect(about.nodes.map((n) => [n.label, n.depth])).toEqual([
      ["Project Atlas", 0],
      ["libfoo", 1],
      ["zlib", 2],
    ]);
    expect(about.facts.map((f) => f.text)).toEqual(["Project Atlas ships in June and uses libfoo"]);
    const march = await memory.about("user", { agentId: "main", depth: 1, asOf: Date.parse("2026-03-01") });
    // In March the user lived in Berlin; the "likes" edges became true only now.
    expect(march.nodes.map((n) => n.label).sort()).toEqual(["Berlin", "user"]);
    const now = await memory.about("user", { agentId: "main", depth: 1 });
    expect(now.nodes.map((n) => n.label).sort()).toEqual(["Paris", "coffee", "tea", "user"]);
    expect((await memory.about("nobody", { agentId: "main" })).nodes).toEqual([]);
    await close();
  }, 60_000);
});

describe("auto-extract's cursor", () => {
  it("catches up each session once, and from the start again when its key began afresh (archived)", async () => {
    const { base, memory } = setup();
    const messages = new Map<string, SessionMessage[]>();
    let info: SessionInfo = { key: "agent:main:main", id: "s1-1", kind: "main", agentId: "main", channel: "main", createdAt: 1, updatedAt: 1, messageCount: 0, tokenCount: 0, lastSeq: 0, lastCompaction: null } as SessionInfo;
    const say = (seq: number, role: "user" | "assistant", content: string) => {
      const list = messages.get(info.id) ?? [];
      list.push({ seq, ts: seq, tokens: 1, role, content });
      messages.set(info.id, list);
      info = { ...info, lastSeq: seq, messageCount: list.length };
    };
    // The sessions store as auto-extract reads it: list, history (paged backwards), get.
    const sessions = {
      list: async () => [info],
      get: async () => info,
      history: async (_key: string, o: { limit?: number; before?: number } = {}) => {
        const list = (messages.get(info.id) ?? []).filter((m) => o.before === undefined || m.seq < o.before);
        return list.slice(-(o.limit ?? 100));
      },
    } as unknown as SessionsService;
    const extractor = () => new AutoExtractor({ cursorFile: join(base, "memory", "extracted.json"), mode: () => "rules", memory: () => memory, sessions: () => sessions, providers: () => undefined, log: quiet, signal: new AbortController().signal });

    say(1, "user", "I live in Oslo.");
    say(2, "assistant", "I live in the cloud.");
    const starting = extractor();
    expect(await starting.catchUp()).toBe(1);
    await starting.idle(); // its cursor is written
    const first = extractor();
    expect(await first.catchUp()).toBe(0); // the cursor was saved
    // The key starts afresh (archived): seq 1 again, in a new session id.
    info = { ...info, id: "s2-2", lastSeq: 0 };
    say(1, "user", "My name is Kari.");
    expect(await first.catchUp()).toBe(1);
    await first.idle();
    const texts = (await memory.list({ agentId: "main", limit: 10 })).map((f) => f.text).sort();
    expect(texts).toEqual(["The user lives in Oslo", "The user's name is Kari"]);
  }, 60_000);
});

describe("auto-extract at unload", () => {
  it("writes its cursor when the plugin unloads, in a process with nothing else to keep it alive", async () => {
    const { execFileSync } = await import("node:child_process");
    const base = mkdtempSync(join(tmpdir(), "aleph-memidle-"));
    const script = join(base, "idle.mjs");
    const runtime = new URL("../dist/runtime.js", import.meta.url).href;
    writeFileSync(
      script,
      `import { AutoExtractor } from ${JSON.stringify(runtime)};
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const memory = { addMany: async (inputs) => inputs.map((_, i) => ({ id: "f" + i, outcome: "added" })) };
const sessions = { get: async (key) => ({ key, id: "s1-1" }) };
const extractor = new AutoExtractor({ cursorFile: ${JSON.stringify(join(base, "memory", "extracted.json"))}, mode: () => "rules", memory: () => memory, sessions: () => sessions, providers: () => undefined, log: quiet, signal: new AbortController().signal });
await extractor.enqueue("agent:main:main", "main", { seq: 3, ts: 1, tokens: 1, role: "user", content: "I live in Oslo." });
await extractor.idle();
console.log("idle");
`,
    );
    // Before the fix the cursor's quiet-time timer (unreferenced) was all idle() waited on: Node
    // found nothing to do and exited without printing.
    expect(execFileSync(process.execPath, [script], { encoding: "utf8" })).toBe("idle\n");
    expect(JSON.parse(readFileSync(join(base, "memory", "extracted.json"), "utf8"))).toEqual({ "agent:main:main": { id: "s1-1", seq: 3 } });
  }, 60_000);
});
