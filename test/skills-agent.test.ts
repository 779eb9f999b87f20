/*
 * Skills in the agent loop, end to end: the real CLI, the bundled skills, agent, sessions, tools and
 * providers plugins, a fake model server on 127.0.0.1 (the test kit's scripted OpenAI one). The
 * index of skills is in the system prompt the model gets, skill_read loads a body and a file, a user
 * runs a skill as /<name>, auto-match attaches one, each use is recorded with its turn's outcome, and
 * a skill that keeps failing is evolved into a suggestion that is applied with the old file kept.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { SkillsStats } from "@aleph/plugin-sdk";
import type { FakeTurn } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, runCli, runCliJson, type Workspace } from "./support/aleph.js";

type Message = { role: string; content: string; tool_call_id?: string };
const messagesOf = (body: Record<string, unknown>) => body.messages as Message[];
const systemOf = (body: Record<string, unknown>) => messagesOf(body).find((m) => m.role === "system")?.content ?? "";
const lastUser = (body: Record<string, unknown>) => messagesOf(body).filter((m) => m.role === "user").at(-1)!.content;
const toolResult = (body: Record<string, unknown>, id: string) => messagesOf(body).find((m) => m.tool_call_id === id)?.content ?? "";

function writeSkill(ws: Workspace, name: string, front: string, body: string): string {
  const dir = join(ws.root, "skills", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "SKILL.md"), `---\nname: ${name}\n${front}\n---\n\n${body}\n`);
  return join(dir, "SKILL.md");
}

function releaseNotes(ws: Workspace): string {
  const file = writeSkill(ws, "release-notes", "description: Draft release notes from merged changes. Use when the user asks for release notes.\nuser-invocable: true", "1. List the merged changes.\n2. Group them. STEP-MARKER-42");
  mkdirSync(join(ws.root, "skills", "release-notes", "references"));
  writeFileSync(join(ws.root, "skills", "release-notes", "references", "style.md"), "Use the imperative mood. STYLE-MARKER-7\n");
  return file;
}

async function withModel(ws: Workspace, turns: FakeTurn[]) {
  const model = await fakeModel(turns);
  writeProviders(ws, openaiProvider("local", model));
  return model;
}

const metricsOf = async (ws: Workspace, name: string) => (await runCliJson<SkillsStats>(ws, ["skills", "stats", "--json"])).metrics.find((m) => m.name === name);

describe("skills in the agent loop", () => {
  test("the index is in the system prompt; skill_read returns the body, then a supporting file; the use is recorded as completed", async () => {
    const ws = createWorkspace();
    const file = releaseNotes(ws);
    const model = await withModel(ws, [
      { toolCalls: [{ id: "c1", name: "skill_read", arguments: { name: "release-notes" } }] },
      { toolCalls: [{ id: "c2", name: "skill_read", arguments: { name: "release-notes", file: "references/style.md" } }] },
      { toolCalls: [{ id: "c3", name: "skill_read", arguments: { name: "release-notes", file: "../../config.toml" } }] },
      { text: "Here are the notes." },
    ]);
    const result = await runCli(ws, ["talk", "-m", "write the release notes"], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Here are the notes.\n");
    const system = systemOf(model.requests[0]!.body);
    expect(system).toContain("<available_skills>");
    expect(system).toContain(`<name>release-notes</name>\n<description>Draft release notes from merged changes. Use when the user asks for release notes.</description>\n<location>${file}</location>`);
    // Bundled skills are listed too; bodies are not (progressive disclosure).
    expect(system).toContain("<name>skill-creator</name>");
    expect(system).not.toContain("STEP-MARKER-42");
    // The system prompt is the same at every step of the turn (the provider's cache holds).
    expect(model.requests.map((r) => systemOf(r.body))).toEqual(model.requests.map(() => system));
    const body = toolResult(model.requests[1]!.body, "c1");
    expect(body).toContain("STEP-MARKER-42");
    expect(body).toContain("references/style.md");
    expect(toolResult(model.requests[2]!.body, "c2")).toContain("STYLE-MARKER-7");
    // A file outside the skill's folder is refused, and the model is told why.
    expect(toolResult(model.requests[3]!.body, "c3")).toMatch(/leads out of the skill's folder|has no file/);
    expect(toolResult(model.requests[3]!.body, "c3")).not.toContain("[skills]");
    expect(await metricsOf(ws, "release-notes")).toMatchObject({ uses: 1, completed: 1, failed: 0, successRate: 1 });
  });

  test("a user runs a user-invocable skill as /<name>: the turn gets its instructions and the request; a skill that is not invocable gets nothing", async () => {
    const ws = createWorkspace();
    releaseNotes(ws);
    writeSkill(ws, "internal-only", "description: Not for users to run.", "SECRET-STEPS-9");
    const model = await withModel(ws, [{ text: "Notes for v2." }, { text: "ok" }]);
    const invoked = await runCli(ws, ["talk", "-m", "/release-notes for v2.0"], { timeoutMs: 30_000 });
    expect(invoked.code, invoked.stderr).toBe(0);
    const sent = lastUser(model.requests[0]!.body);
    expect(sent).toMatch(/The user invoked the skill release-notes[\s\S]*Apply it to: for v2\.0[\s\S]*STEP-MARKER-42[\s\S]*\/release-notes for v2\.0$/);
    const plain = await runCli(ws, ["talk", "-m", "/internal-only now"], { timeoutMs: 30_000 });
    expect(plain.code, plain.stderr).toBe(0);
    expect(lastUser(model.requests[1]!.body)).not.toContain("SECRET-STEPS-9");
    // The session keeps what the user wrote, not the instructions attached to the turn.
    const shown = await runCliJson<{ messages: { role: string; content: string }[] }>(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(shown.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["/release-notes for v2.0", "/internal-only now"]);
    expect(await metricsOf(ws, "release-notes")).toMatchObject({ uses: 1, completed: 1 });
    expect(await metricsOf(ws, "internal-only")).toBeUndefined();
  });

  test("with auto_match_enabled the best matching skill is attached to the turn; an unrelated message gets none", async () => {
    const ws = createWorkspace();
    releaseNotes(ws);
    writeFileSync(join(ws.root, "config.toml"), "[skills]\nauto_match_enabled = true\n");
    const model = await withModel(ws, [{ text: "ok" }, { text: "ok" }]);
    expect((await runCli(ws, ["talk", "-m", "please draft release notes for the merged changes"], { timeoutMs: 30_000 })).code).toBe(0);
    expect(lastUser(model.requests[0]!.body)).toMatch(/<matched-skills>[\s\S]*<skill name="release-notes"[\s\S]*STEP-MARKER-42[\s\S]*<\/matched-skills>/);
    expect((await runCli(ws, ["talk", "-m", "what is the capital of France?"], { timeoutMs: 30_000 })).code).toBe(0);
    expect(lastUser(model.requests[1]!.body)).not.toContain("<matched-skills>");
    expect(await metricsOf(ws, "release-notes")).toMatchObject({ uses: 1, completed: 1 });
  });

  test("a skill whose turns fail is evolved: the failing turns go to the model, the suggestion is stored, shown as a diff, and applied with the old file kept", async () => {
    const ws = createWorkspace();
    const file = releaseNotes(ws);
    writeFileSync(join(ws.root, "config.toml"), "[skills]\nevolve_min_uses = 2\nevolve_failure_rate = 0.5\n");
    const improved = readFileSync(file, "utf8").replace("2. Group them.", "2. Group them by area, then by impact.");
    const failing: FakeTurn[] = [{ toolCalls: [{ id: "r", name: "skill_read", arguments: { name: "release-notes" } }] }, { type: "error", status: 400, body: { error: { message: "context too long for the notes" } } }];
    const model = await withModel(ws, [...failing, ...failing, { text: `Here is the improved skill:\n\n\`\`\`\`markdown\n${improved}\`\`\`\`\n` }]);
    for (const text of ["notes for 1.0", "notes for 1.1"]) {
      const r = await runCli(ws, ["talk", "-m", text], { timeoutMs: 30_000 });
      expect(r.code).not.toBe(0);
    }
    expect(await metricsOf(ws, "release-notes")).toMatchObject({ uses: 2, failed: 2, completed: 0, successRate: 0 });

    const evolved = await runCli(ws, ["skills", "evolve", "release-notes", "--json"], { timeoutMs: 30_000 });
    expect(evolved.code, evolved.stderr).toBe(0);
    const suggestion = JSON.parse(evolved.stdout) as { id: string; status: string; reason: string; content: string };
    expect(suggestion).toMatchObject({ status: "pending", content: improved });
    expect(suggestion.reason).toMatch(/2 of 2 finished uses failed/);
    // The model was shown the failing turns: the user's words and the error.
    const prompt = JSON.stringify(model.requests.at(-1)!.body);
    expect(prompt).toContain("notes for 1.1");
    expect(prompt).toContain("context too long");
    expect(prompt).toContain("STEP-MARKER-42");

    const shown = await runCli(ws, ["skills", "suggestions", "show", suggestion.id]);
    expect(shown.stdout).toContain("- 2. Group them. STEP-MARKER-42");
    expect(shown.stdout).toContain("+ 2. Group them by area, then by impact. STEP-MARKER-42");
    const applied = await runCli(ws, ["skills", "suggestions", "apply", suggestion.id]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(improved);
    const backups = readdirSync(join(ws.root, "skills", "release-notes")).filter((f) => /^SKILL\.md\.\d{8}-\d{6}\.bak$/.test(f));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(ws.root, "skills", "release-notes", backups[0]!), "utf8")).toContain("2. Group them. STEP");
    const list = await runCliJson<{ id: string; status: string }[]>(ws, ["skills", "suggestions", "list", "--json"]);
    expect(list).toEqual([expect.objectContaining({ id: suggestion.id, status: "applied" })]);
    // Deciding twice is refused.
    const again = await runCli(ws, ["skills", "suggestions", "reject", suggestion.id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/applied/);
  });

  test("evolving a skill below the threshold is refused with the numbers; a suggestion for a bundled skill is applied to a copy in skills_dir, which then shadows it", async () => {
    const ws = createWorkspace();
    const bundled = (await runCliJson<{ skills: { name: string; file: string; source: string }[] }>(ws, ["skills", "list", "--json"])).skills.find((s) => s.name === "skill-creator")!;
    expect(bundled.source).toBe("bundled");
    const text = readFileSync(bundled.file, "utf8");
    const improved = text.replace("# Creating a skill", "# Creating a skill (improved)");
    await withModel(ws, [{ text: `\`\`\`\`markdown\n${improved}\`\`\`\`` }]);
    const refused = await runCli(ws, ["skills", "evolve", "skill-creator"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not due for evolving: 0 finished uses[\s\S]*--force/);
    const forced = await runCliJson<{ id: string }>(ws, ["skills", "evolve", "skill-creator", "--force", "--json"]);
    expect((await runCli(ws, ["skills", "suggestions", "apply", forced.id])).code).toBe(0);
    // The shipped file is untouched; the user's copy (with its references/) wins now.
    expect(readFileSync(bundled.file, "utf8")).toBe(text);
    const copy = join(ws.root, "skills", "skill-creator");
    expect(readFileSync(join(copy, "SKILL.md"), "utf8")).toBe(improved);
    expect(existsSync(join(copy, "references", "front-matter.md"))).toBe(true);
    const after = (await runCliJson<{ skills: { name: string; source: string; status: string }[] }>(ws, ["skills", "list", "--json"])).skills.filter((s) => s.name === "skill-creator");
    expect(after.map((s) => [s.source, s.status])).toEqual([
      ["root", "available"],
      ["bundled", "shadowed"],
    ]);
  });
});
