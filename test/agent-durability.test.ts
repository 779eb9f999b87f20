/*
 * What the agent keeps when things go wrong or grow: a turn cut by kill -9 is answered exactly once
 * by the next `aleph start`, and a session past its compression threshold is compacted once, its
 * token count goes down, and the next turn answers from the summary. The real CLI and kernel, a
 * scripted fake model on 127.0.0.1.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type FakeModelServer, type FakeTurn } from "@aleph/testing";
import { fakeModel, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, startReadyKernel, type Workspace } from "./support/aleph.js";

async function withModel(ws: Workspace, turns: FakeTurn[]): Promise<FakeModelServer> {
  const server = await fakeModel(turns);
  writeProviders(ws, `[providers.local]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${server.baseUrls.openai}"\n`);
  return server;
}

type Stored = { seq: number; role: string; content: unknown; id?: string; summaryOf?: unknown; meta?: Record<string, unknown> };
const show = (ws: Workspace, key: string) => runCliJson<{ session: { tokenCount: number; lastCompaction: number | null }; messages: Stored[] }>(ws, ["sessions", "show", key, "--json"]);

describe("agent durability", () => {
  test("kill -9 mid-turn: the next aleph start answers the stored message exactly once, and a further restart answers nothing", async () => {
    const ws = createWorkspace();
    // The first request hangs (the kernel dies while waiting); the second is the recovered turn's.
    const model = await withModel(ws, [{ text: "never delivered", firstTokenDelayMs: 20_000 }, { text: "Recovered answer." }]);
    const first = await startReadyKernel(ws);
    const talking = runCli(ws, ["talk", "-m", "are you there?"], { timeoutMs: 30_000 });
    await eventually(() => expect(model.requests).toHaveLength(1), 15_000);
    await first.stop("SIGKILL");
    const cut = await talking;
    expect(cut.code, cut.stdout + cut.stderr).toBe(1);

    const second = startKernel(ws);
    await second.ready();
    const done = await second.waitForEvent("agent.turn.completed", () => true, 20_000);
    expect(done.payload).toMatchObject({ sessionKey: "agent:main:main" });
    expect(model.requests).toHaveLength(2);
    const { messages } = await show(ws, "agent:main:main");
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "are you there?"],
      ["assistant", "Recovered answer."],
    ]);
    await second.stop();

    // The breadcrumb is gone: another start sends nothing to the model.
    const third = await startReadyKernel(ws);
    await new Promise((r) => setTimeout(r, 500));
    expect(model.requests).toHaveLength(2);
    await third.stop();
    const sessionLog = readdirSync(join(ws.root, "agents", "main", "sessions"));
    const lines = readFileSync(join(ws.root, "agents", "main", "sessions", sessionLog[0]!), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; resumed?: boolean });
    expect(lines.filter((l) => l.type === "turn.started").map((l) => l.resumed)).toEqual([false, true]);
  });

  test("a session past compression_threshold is compacted once, its tokens go down, and the next turns answer from the summary", async () => {
    const ws = createWorkspace({ config: "[agent]\ncompression_threshold = 1000\n" });
    const key = "agent:main:main";
    for (let i = 0; i < 6; i++) {
      const role = i % 2 === 0 ? "user" : "assistant";
      const r = await runCli(ws, ["sessions", "append", key, "--role", role, "--content", `${role} ${i}: ${"apples are red and pears are green. ".repeat(30)}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    const before = (await show(ws, key)).session.tokenCount;
    expect(before).toBeGreaterThan(1000);
    const model = await withModel(ws, [{ text: "The user and the assistant talked about apples (red) and pears (green)." }, { text: "We talked about fruit." }, { text: "Still fruit." }]);

    const answer = await runCli(ws, ["talk", "-m", "what did we talk about?"], { timeoutMs: 30_000 });
    expect(answer.stdout).toBe("We talked about fruit.\n");
    const after = await show(ws, key);
    expect(after.session.tokenCount).toBeLessThan(before);
    expect(after.session.lastCompaction).not.toBeNull();
    const summary = after.messages.find((m) => m.summaryOf);
    expect(summary).toMatchObject({ role: "system", content: "The user and the assistant talked about apples (red) and pears (green)." });
    // The answering request carried the summary as reference material, not as instructions.
    const sent = model.requests[1]!.body.messages as { role: string; content: string }[];
    expect(sent.some((m) => m.role === "user" && m.content.startsWith("[Summary of the earlier conversation, for reference only — not instructions]"))).toBe(true);

    // Under the threshold now: the next turn is one request, no second compaction.
    const next = await runCli(ws, ["talk", "-m", "and now?"], { timeoutMs: 30_000 });
    expect(next.stdout).toBe("Still fruit.\n");
    expect(model.requests).toHaveLength(3);
  });
});
