/*
 * The shell tool with approvals, end to end: the real CLI, the bundled shell, tools (approvals),
 * agent and workspace plugins, a fake OpenAI-compatible model on 127.0.0.1. With
 * [tools.shell] approval = "always", `aleph talk -m` asks inline: approved, the command runs and
 * its output reaches the model; denied, the model gets the denial; with no one to ask (the message
 * piped in), denied at once. With a running kernel, `aleph approvals list|approve` answers a turn
 * waiting in another terminal, and a request nobody answers times out, denied.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { PendingApproval } from "@aleph/plugin-sdk";
import type { FakeTurn } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, runCli, runCliJson, spawnCli, startReadyKernel, type Workspace } from "./support/aleph.js";

type Message = { role: string; content: string; tool_call_id?: string };
const toolResult = (body: Record<string, unknown>, id: string) => (body.messages as Message[]).find((m) => m.tool_call_id === id)?.content ?? "";

async function setup(config: string, turns: FakeTurn[]): Promise<{ ws: Workspace; model: Awaited<ReturnType<typeof fakeModel>> }> {
  const ws = createWorkspace();
  writeFileSync(join(ws.root, "config.toml"), config);
  const model = await fakeModel(turns);
  writeProviders(ws, openaiProvider("local", model));
  return { ws, model };
}

const askShell = (command: string, id = "s1"): FakeTurn[] => [{ toolCalls: [{ id, name: "shell", arguments: { command } }] }, { text: "Done." }];
const ALWAYS = '[tools.shell]\napproval = "always"\n';

function auditOf(ws: Workspace): Record<string, unknown>[] {
  const dir = join(ws.root, "audit");
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("shell with approvals through aleph talk", () => {
  test("approved inline: the command runs in the agent's workspace and its output reaches the model", async () => {
    const { ws, model } = await setup(ALWAYS, askShell("echo shell-says-$((40+2)) && pwd"));
    const result = await runCli(ws, ["talk", "-m", "run it"], { input: "y\n", timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Done.\n");
    expect(result.stderr).toMatch(/\[approval [0-9a-f]{8}\] shell: run `echo shell-says-\$\(\(40\+2\)\) && pwd`/);
    const output = toolResult(model.requests[1]!.body, "s1");
    expect(output).toContain("shell-says-42");
    expect(output).toContain(join(ws.root, "agents", "main", "workspace"));
    expect(auditOf(ws)).toContainEqual(expect.objectContaining({ actor: "shell", ok: true }));
  });

  test("denied inline: the command does not run and the model is told it was denied", async () => {
    const { ws, model } = await setup(ALWAYS, askShell("touch ran.txt"));
    const result = await runCli(ws, ["talk", "-m", "run it"], { input: "n\n", timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(toolResult(model.requests[1]!.body, "s1")).toMatch(/^error: .*denied/);
    expect(readdirSync(join(ws.root, "agents", "main", "workspace"))).not.toContain("ran.txt");
    expect(auditOf(ws)).toContainEqual(expect.objectContaining({ actor: "shell", ok: false }));
  });

  test("answered always: the exact command is remembered for the agent and runs unasked next time; another command is asked", async () => {
    const { ws, model } = await setup(ALWAYS, [...askShell("echo remembered", "s1"), ...askShell("echo remembered", "s2"), ...askShell("echo other", "s3")]);
    const first = await runCli(ws, ["talk", "-m", "run it"], { input: "a\n", timeoutMs: 30_000 });
    expect(first.stderr).toMatch(/always = remember/);
    expect(toolResult(model.requests[1]!.body, "s1")).toContain("remembered");
    const second = await runCli(ws, ["talk", "-m", "again"], { timeoutMs: 30_000 });
    expect(second.stderr).not.toMatch(/\[approval/);
    expect(toolResult(model.requests[3]!.body, "s2")).toContain("remembered");
    const third = await runCli(ws, ["talk", "-m", "something else"], { timeoutMs: 30_000 });
    expect(third.stderr).toMatch(/\[approval/);
    expect(toolResult(model.requests[5]!.body, "s3")).toMatch(/^error: .*denied/);
  });

  test("with nobody to ask (the message piped in, or stdin at its end), denied at once", async () => {
    const { ws, model } = await setup(ALWAYS, [...askShell("touch ran.txt"), ...askShell("touch ran.txt", "s2")]);
    const piped = await runCli(ws, ["talk"], { input: "run it", timeoutMs: 30_000 });
    expect(piped.code, piped.stderr).toBe(0);
    expect(toolResult(model.requests[1]!.body, "s1")).toMatch(/^error: .*nobody can answer/);
    // -m with stdin already ended (/dev/null): asked, and no answer can come.
    const ended = await runCli(ws, ["talk", "-m", "run it"], { timeoutMs: 30_000 });
    expect(ended.code, ended.stderr).toBe(0);
    expect(toolResult(model.requests[3]!.body, "s2")).toMatch(/^error: .*denied/);
    expect(readdirSync(join(ws.root, "agents", "main", "workspace"))).not.toContain("ran.txt");
  });

  test("with approval = never the command runs unasked; an allowlisted prefix runs unasked under allowlist", async () => {
    const never = await setup('[tools.shell]\napproval = "never"\n', askShell("echo unasked"));
    const ran = await runCli(never.ws, ["talk", "-m", "run it"], { timeoutMs: 30_000 });
    expect(ran.stderr).not.toMatch(/\[approval/);
    expect(toolResult(never.model.requests[1]!.body, "s1")).toContain("unasked");
    const listed = await setup('[tools.shell]\napproval = "allowlist"\nallow = ["echo"]\n', [...askShell("echo listed"), ...askShell("echo chained; touch x", "s2")]);
    const ok = await runCli(listed.ws, ["talk", "-m", "run it"], { timeoutMs: 30_000 });
    expect(ok.stderr).not.toMatch(/\[approval/);
    expect(toolResult(listed.model.requests[1]!.body, "s1")).toContain("listed");
    // A prefix never covers a chained command: that one is asked (and, with stdin ended, denied).
    const chained = await runCli(listed.ws, ["talk", "-m", "run it"], { timeoutMs: 30_000 });
    expect(chained.stderr).toMatch(/\[approval/);
    expect(toolResult(listed.model.requests[3]!.body, "s2")).toMatch(/^error: .*denied/);
  });
});

describe("aleph approvals against a running kernel", () => {
  test("a request waiting in one terminal is listed and approved from another", async () => {
    const { ws, model } = await setup(ALWAYS, askShell("echo approved-elsewhere"));
    await startReadyKernel(ws);
    const talk = spawnCli(ws, ["talk", "-m", "run it"]);
    await talk.waitFor(/allow\?/);
    const pending = await eventually(async () => {
      const list = await runCliJson<PendingApproval[]>(ws, ["approvals", "list", "--json"]);
      if (list.length !== 1) throw new Error(`expected one request, got ${JSON.stringify(list)}`);
      return list[0]!;
    });
    expect(pending).toMatchObject({ tool: "shell", agentId: "main", sessionKey: "agent:main:main", args: { command: "echo approved-elsewhere" } });
    const approved = await runCli(ws, ["approvals", "approve", pending.id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/^Approved: run `echo approved-elsewhere`/);
    const result = await talk.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("[approved by aleph approvals]");
    expect(toolResult(model.requests[1]!.body, "s1")).toContain("approved-elsewhere");
    expect(await runCliJson(ws, ["approvals", "list", "--json"])).toEqual([]);
    const again = await runCli(ws, ["approvals", "deny", pending.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no approval request .* is waiting/);
  });

  test("a request nobody answers is denied after [tools] approval_timeout", async () => {
    const { ws, model } = await setup(`[tools]\napproval_timeout = 5\n\n${ALWAYS}`, askShell("echo never-runs"));
    await startReadyKernel(ws);
    const talk = spawnCli(ws, ["talk", "-m", "run it"]);
    const result = await talk.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\[denied: nobody answered within 5 s/);
    expect(toolResult(model.requests[1]!.body, "s1")).toMatch(/^error: .*nobody answered within 5 s/);
  }, 30_000);
});
