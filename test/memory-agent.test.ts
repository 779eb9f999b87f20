/*
 * Memory in the agent loop, end to end: the real CLI, the bundled memory, agent, sessions and
 * providers plugins, real LanceDB and SQLite, and a fake model server on 127.0.0.1 (the test kit's
 * scripted OpenAI one). What a user says is remembered (and what the assistant says is not), the
 * next turn is given what was recalled, the agent's tools reach the same memory, messages written
 * while no kernel ran are caught up, and a compaction keeps the facts of what it summarises.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { FakeTurn } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";
import { memorySearch } from "./support/memory.js";

const search = memorySearch;

/** The user message of a request as the model got it (the last one). */
function lastUserMessage(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[];
  return messages.filter((m) => m.role === "user").at(-1)!.content;
}

async function withModel(ws: Workspace, turns: FakeTurn[]) {
  const model = await fakeModel(turns);
  writeProviders(ws, openaiProvider("local", model));
  return model;
}

describe("memory in the agent loop", () => {
  test("a user's statement is remembered (the assistant's words are not), and the next turn is given it as recalled reference material", async () => {
    const ws = createWorkspace();
    const model = await withModel(ws, [{ text: "Noted. My name is Botty and I live in the cloud." }, { text: "She lives in Lyon." }]);
    const kernel = await startReadyKernel(ws);
    const mark = kernel.mark();
    const first = await runCli(ws, ["talk", "-m", "I live in Berlin. My name is Ada. What is 2+2?"], { timeoutMs: 30_000 });
    expect(first.code, first.stderr).toBe(0);
    await kernel.waitForEvent("memory.fact.added", (p) => p.agentId === "main", 10_000, mark);
    await eventually(async () => expect((await search(ws, "Berlin")).map((h) => h.text)).toContain("The user lives in Berlin"));

    const facts = (await runCliJson<{ text: string; sources: string[] }[]>(ws, ["memory", "list", "--json"])).map((f) => f.text);
    expect(facts).toEqual(expect.arrayContaining(["The user lives in Berlin", "The user's name is Ada"]));
    // Nothing from the assistant's reply ("My name is Botty", "I live in the cloud").
    expect(facts.join("\n")).not.toMatch(/Botty|cloud/);
    // Each extracted fact links to the session message it came from.
    const berlin = (await search(ws, "Berlin")).find((h) => h.text === "The user lives in Berlin")!;
    expect(berlin.sources).toEqual(["session:agent:main:main#1"]);

    const second = await runCli(ws, ["talk", "-m", "Where do I live?"], { timeoutMs: 30_000 });
    expect(second.stdout).toBe("She lives in Lyon.\n");
    const sent = lastUserMessage(model.requests[1]!.body);
    // Recalled facts come before the message, wrapped as reference material, not instructions.
    expect(sent).toMatch(/<recalled-memory>[\s\S]*The user lives in Berlin[\s\S]*<\/recalled-memory>[\s\S]*Where do I live\?$/);
    expect(sent).toMatch(/never as instructions/);
    // The system prompt did not change between the two turns (the provider's prompt cache holds).
    const system = (i: number) => (model.requests[i]!.body.messages as { role: string; content: unknown }[]).find((m) => m.role === "system");
    expect(system(1)).toEqual(system(0));
    // The recalled block was not stored in the session (only what the user wrote), so it is never re-extracted.
    const shown = await runCliJson<{ messages: { role: string; content: string }[] }>(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(shown.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["I live in Berlin. My name is Ada. What is 2+2?", "Where do I live?"]);
    await kernel.stop();
  });

  test("the agent's tools: memory_add, then memory_search, reach the same memory as the CLI", async () => {
    const ws = createWorkspace();
    const model = await withModel(ws, [
      { toolCalls: [{ id: "c1", name: "memory_add", arguments: { text: "The project deadline is March 3", tags: ["work"] } }] },
      { toolCalls: [{ id: "c2", name: "memory_search", arguments: { query: "project deadline" } }] },
      { text: "The deadline is March 3." },
    ]);
    const result = await runCli(ws, ["talk", "-m", "note the deadline"], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("The deadline is March 3.\n");
    const toolResult = (model.requests[2]!.body.messages as { role: string; tool_call_id?: string; content: string }[]).find((m) => m.tool_call_id === "c2")!;
    expect(JSON.parse(toolResult.content)[0]).toMatchObject({ text: "The project deadline is March 3", tags: ["work"] });
    const hits = await search(ws, "deadline", ["--tags", "work"]);
    expect(hits[0]).toMatchObject({ text: "The project deadline is March 3", sources: ["tool:agent:main:main"] });
  });

  test("memory_curate edits MEMORY.md entry by entry; the session keeps its frozen copy (same system prompt), a new session sees the edit", async () => {
    const ws = createWorkspace();
    const model = await withModel(ws, [
      { toolCalls: [{ id: "c1", name: "memory_curate", arguments: { file: "MEMORY.md", action: "add", text: "Ada prefers answers in French." } }] },
      { text: "Noted." },
      { text: "Bonjour." },
      { text: "Bonjour, Ada." },
    ]);
    expect((await runCli(ws, ["init"])).code).toBe(0); // seeds MEMORY.md
    const first = await runCli(ws, ["talk", "-m", "Please always answer me in French."], { timeoutMs: 30_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/WARN|failed/);
    const file = join(ws.root, "agents", "main", "workspace", "MEMORY.md");
    const text = readFileSync(file, "utf8");
    // The seeded file is one entry (no § line in it), kept whole; the new entry follows a § line.
    expect(text).toMatch(/^# MEMORY\.md[\s\S]*\n§\nAda prefers answers in French\.\n$/);
    const tool = (model.requests[1]!.body.messages as { tool_call_id?: string; content: string }[]).find((m) => m.tool_call_id === "c1")!;
    expect(JSON.parse(tool.content)).toMatchObject({ file: "MEMORY.md", entries: 2 });

    const system = (i: number) => String((model.requests[i]!.body.messages as { role: string; content: unknown }[]).find((m) => m.role === "system")?.content);
    await runCli(ws, ["talk", "-m", "Hello?"], { timeoutMs: 30_000 });
    expect(system(2)).toBe(system(0));
    expect(system(2)).not.toContain("Ada prefers answers in French.");
    await runCli(ws, ["talk", "-m", "Hello?", "--session", "agent:main:cli:dm:ada"], { timeoutMs: 30_000 });
    expect(system(3)).toContain("Ada prefers answers in French.");
  });

  test("messages appended while no kernel ran are caught up at the next start, once", async () => {
    const ws = createWorkspace();
    const appended = await runCli(ws, ["sessions", "append", "agent:main:cli:dm:ada", "--role", "user", "--content", "I work on Project Atlas. I prefer short answers."]);
    expect(appended.code, appended.stderr).toBe(0);
    await runCli(ws, ["sessions", "append", "agent:main:cli:dm:ada", "--role", "assistant", "--content", "I prefer long answers myself."]);
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("memory.fact.added", (p) => p.agentId === "main", 15_000);
    await eventually(async () => expect((await search(ws, "Atlas")).map((h) => h.text)).toContain("The user works on Project Atlas"));
    await eventually(() => expect(existsSync(join(ws.root, "memory", "extracted.json"))).toBe(true));
    await kernel.stop();
    const facts = await runCliJson<{ text: string }[]>(ws, ["memory", "list", "--json"]);
    expect(facts.map((f) => f.text).sort()).toEqual(["The user prefers short answers", "The user works on Project Atlas"]);

    // A second start finds nothing new to catch up: no fact is added again.
    const again = await startReadyKernel(ws);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(again.eventsSince(0, "memory.fact.added")).toHaveLength(0);
    await again.stop();
  });

  test('auto_extract = "llm": the model is asked with the user\'s words alone and its facts are added (add-only), besides the rules\' ones', async () => {
    const ws = createWorkspace({ config: '[memory]\nauto_extract = "llm"\n' });
    await runCli(ws, ["sessions", "append", "agent:main:main", "--role", "user", "--content", "I live in Oslo. My cat Tom turned 3 last week."]);
    const model = await withModel(ws, [{ text: 'Here you go: {"facts": ["The user has a cat named Tom", "Tom is 3 years old"]}' }]);
    const kernel = await startReadyKernel(ws);
    await eventually(async () => expect((await runCliJson<{ text: string }[]>(ws, ["memory", "list", "--json"])).length).toBe(3), 15_000);
    await kernel.stop();
    const facts = await runCliJson<{ text: string; tags: string[]; sources: string[] }[]>(ws, ["memory", "list", "--json"]);
    expect(facts.map((f) => f.text).sort()).toEqual(["The user has a cat named Tom", "The user lives in Oslo", "Tom is 3 years old"]);
    expect(facts.find((f) => f.text === "Tom is 3 years old")).toMatchObject({ tags: ["auto", "llm"], sources: ["session:agent:main:main#1"] });
    expect(model.requests).toHaveLength(1);
    const request = model.requests[0]!.body.messages as { role: string; content: string }[];
    expect(request.map((m) => m.role)).toEqual(["system", "user"]);
    expect(request[0]!.content).toMatch(/You extract durable facts/);
    expect(request[1]!.content).toBe("I live in Oslo. My cat Tom turned 3 last week.");
  });

  test("before a compaction, the user's facts of the summarised part are stored and appended to the day's note (never overwriting it)", async () => {
    const ws = createWorkspace({ config: "[agent]\ncompression_threshold = 1000\n[memory]\nauto_extract = false\n" });
    const key = "agent:main:main";
    for (let i = 0; i < 6; i++) {
      const role = i % 2 === 0 ? "user" : "assistant";
      const said = i === 0 ? "Remember that the launch is on Friday. " : i === 2 ? "I live in Lisbon. " : "";
      const r = await runCli(ws, ["sessions", "append", key, "--role", role, "--content", `${said}${"apples are red and pears are green. ".repeat(30)}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    // A note the user wrote today is kept: the flush appends.
    const notesDir = join(ws.root, "agents", "main", "workspace", "memory");
    const init = await runCli(ws, ["init"]);
    expect(init.code, init.stderr).toBe(0);
    const today = new Date();
    const name = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}.md`;
    await import("node:fs/promises").then(async (fs) => {
      await fs.mkdir(notesDir, { recursive: true });
      await fs.writeFile(join(notesDir, name), "# My own notes\n\nBought plums.\n");
    });
    await withModel(ws, [{ text: "Summary: fruit talk." }, { text: "We talked about fruit." }]);
    const answer = await runCli(ws, ["talk", "-m", "what did we talk about?"], { timeoutMs: 30_000 });
    expect(answer.stdout).toBe("We talked about fruit.\n");

    const note = readFileSync(join(notesDir, name), "utf8");
    expect(note.startsWith("# My own notes\n\nBought plums.\n")).toBe(true);
    expect(note).toMatch(/Kept before compacting agent:main:main \(#1–#\d+\):\n- The launch is on Friday\n- The user lives in Lisbon/);
    const facts = await runCliJson<{ text: string; tags: string[] }[]>(ws, ["memory", "list", "--json"]);
    expect(facts.map((f) => f.text).sort()).toEqual(["The launch is on Friday", "The user lives in Lisbon"]);
    expect(facts[0]!.tags).toContain("compaction");
    expect(readdirSync(notesDir)).toEqual([name]);
  });

  test("daily notes are indexed as facts at start, and again when they change (watched): a removed paragraph is forgotten", async () => {
    const ws = createWorkspace();
    const notesDir = join(ws.root, "agents", "main", "workspace", "memory");
    const fs = await import("node:fs/promises");
    await fs.mkdir(notesDir, { recursive: true });
    const file = join(notesDir, "2026-11-30.md");
    await fs.writeFile(file, "# Monday\n\nCalled the plumber about the leaking kitchen tap.\n\n# Later\n\nBooked train tickets to Porto for the conference.\n");
    const kernel = await startReadyKernel(ws);
    await eventually(async () => expect((await search(ws, "plumber")).map((h) => h.text)).toContain("# Monday\n\nCalled the plumber about the leaking kitchen tap."), 15_000);
    const hit = (await search(ws, "Porto train")).find((h) => h.text.includes("Porto"))!;
    expect(hit.sources).toEqual(["note:2026-11-30.md#L5-L7"]);
    expect(hit.tags).toEqual(["daily-note", "note:2026-11-30.md"]);

    await fs.writeFile(file, "# Monday\n\nCalled the plumber about the leaking kitchen tap.\n\n# Later\n\nThe conference moved online; no trip.\n");
    await eventually(async () => {
      const texts = (await runCliJson<{ text: string }[]>(ws, ["memory", "list", "--json", "--scope", "notes"])).map((f) => f.text);
      expect(texts.some((t) => t.includes("moved online"))).toBe(true);
      expect(texts.some((t) => t.includes("Porto"))).toBe(false);
    }, 15_000);
    await kernel.stop();
  });
});
