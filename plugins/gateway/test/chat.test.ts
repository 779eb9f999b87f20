/*
 * chat.send (docs/gateway.md, "chat.send"): the turn streamed back as chat.event notifications in
 * seq order and answered with its result; a repeated idempotency key answered once (the fake model
 * sees one request); chat.abort and a closing connection stopping their turns.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionsRef } from "@aleph/plugin-sdk";
import { startGateway, stopAll, until, type RpcTestClient } from "./harness.js";

afterEach(stopAll);

const chatLines = (root: string, chatId: string) =>
  readFileSync(join(root, "chat", "chats", `${chatId}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { from: string; content: unknown; key?: string });

/** The chat.event notifications of a key: seqs 1..n, in order, each once. */
function expectOrdered(events: { seq: number }[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe("chat.send", () => {
  it("streams the turn as chat.event notifications in seq order and answers with its result; the session and the chat keep it", async () => {
    const reply = "Hello! This reply arrives in several pieces.";
    const g = await startGateway({ turns: [{ text: reply, chunkChars: 6 }] });
    const client = await g.connect();
    const result = await client.request("chat.send", { message: "hi there", idempotencyKey: "msg-1" });
    expect(result).toMatchObject({ idempotencyKey: "msg-1", sessionKey: "agent:main:main", ok: true, text: reply, provider: "fake", model: "fake-model", replayed: false });
    expect(result.turnId).toMatch(/\S/);
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 });

    const events = client.chatEvents("msg-1");
    expectOrdered(events);
    expect(events.every((e) => e.sessionKey === "agent:main:main")).toBe(true);
    expect(events[0].event).toMatchObject({ type: "turn.started", turnId: result.turnId, agentId: "main", sessionKey: "agent:main:main" });
    const texts = events.filter((e) => e.event.type === "text").map((e) => e.event.text);
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join("")).toBe(reply);
    expect(events.at(-1).event).toMatchObject({ type: "turn.completed", turnId: result.turnId, text: reply });
    // Every notification arrived before the response.
    const responseAt = client.frames.findIndex((f) => f.id !== undefined && f.result?.idempotencyKey === "msg-1");
    expect(client.frames.slice(responseAt + 1).some((f) => f.method === "chat.event")).toBe(false);

    const history = await g.kernel.service(sessionsRef)!.history("agent:main:main");
    expect(history.map((m) => [m.role, m.content])).toEqual([
      ["user", "hi there"],
      ["assistant", reply],
    ]);
    expect(chatLines(g.root, "main-main").map((m) => [m.from, m.content, m.key])).toEqual([
      ["gateway", "hi there", "in:msg-1"],
      ["agent.main", reply, "out:msg-1"],
    ]);
    expect(g.model!.requests).toHaveLength(1);
  });

  it("goes to agent:<agentId>:main, or to the session key given", async () => {
    const g = await startGateway({ turns: [{ text: "a" }, { text: "b" }] });
    const client = await g.connect();
    expect(await client.request("chat.send", { sessionKey: "agent:main:web:dm:alice", message: "x", idempotencyKey: "k1" })).toMatchObject({ ok: true, sessionKey: "agent:main:web:dm:alice" });
    expect(chatLines(g.root, "web-dm-alice")).toHaveLength(2);
    expect(await client.request("chat.send", { agentId: "main", message: "y", idempotencyKey: "k2" })).toMatchObject({ ok: true, sessionKey: "agent:main:main" });
  });

  it("answers a repeated idempotency key once: the result again (replayed) and its reply streamed again, with no second model call — from any connection", async () => {
    const g = await startGateway({ turns: [{ text: "The one and only answer." }] });
    const first = await g.connect();
    const original = await first.request("chat.send", { message: "hello", idempotencyKey: "same" });
    const again = await first.request("chat.send", { message: "hello", idempotencyKey: "same" });
    expect(again).toEqual({ ...original, replayed: true });
    expect(g.model!.requests).toHaveLength(1);

    const other = await g.connect();
    const fromOther = await other.request("chat.send", { message: "hello", idempotencyKey: "same" });
    expect(fromOther).toEqual({ ...original, replayed: true });
    const replay = other.chatEvents("same");
    expectOrdered(replay);
    expect(replay.map((e) => e.event.type)).toEqual(["turn.started", "text", "turn.completed"]);
    expect(replay[1].event.text).toBe("The one and only answer.");
    expect(replay[2].event).toMatchObject({ type: "turn.completed", turnId: original.turnId });
    expect(g.model!.requests).toHaveLength(1);
    // Kept once, in the session and in the chat.
    expect(await g.kernel.service(sessionsRef)!.history("agent:main:main")).toHaveLength(2);
    expect(chatLines(g.root, "main-main")).toHaveLength(2);
  });

  it("makes a concurrent duplicate wait for the first turn and answer with its result", async () => {
    const g = await startGateway({ turns: [{ text: "slowly written", firstTokenDelayMs: 400 }] });
    const a = await g.connect();
    const b = await g.connect();
    const [first, second] = await Promise.all([a.request("chat.send", { message: "hi", idempotencyKey: "dup" }), b.request("chat.send", { message: "hi", idempotencyKey: "dup" })]);
    expect(first).toMatchObject({ ok: true, text: "slowly written", replayed: false });
    expect(second).toEqual({ ...first, replayed: true });
    expect(g.model!.requests).toHaveLength(1);
  });

  it("runs a new turn for the same key in another session", async () => {
    const g = await startGateway({ turns: [{ text: "one" }, { text: "two" }] });
    const client = await g.connect();
    await client.request("chat.send", { message: "x", idempotencyKey: "k" });
    expect(await client.request("chat.send", { sessionKey: "agent:main:web:dm:bob", message: "x", idempotencyKey: "k" })).toMatchObject({ text: "two", replayed: false });
    expect(g.model!.requests).toHaveLength(2);
  });

  it("answers a turn that fails as a result (ok: false), and runs it again when the key is sent again", async () => {
    const g = await startGateway({ turns: [{ type: "error", status: 400, body: { error: { message: "bad request from the fake" } } }, { text: "second time lucky" }] });
    const client = await g.connect();
    const failed = await client.request("chat.send", { message: "x", idempotencyKey: "retry-me" });
    expect(failed).toMatchObject({ ok: false, code: expect.stringMatching(/^ALEPH_E_/), message: expect.any(String), replayed: false });
    expect(client.chatEvents("retry-me").at(-1).event).toMatchObject({ type: "turn.failed" });
    const retried = await client.request("chat.send", { message: "x", idempotencyKey: "retry-me" });
    expect(retried).toMatchObject({ ok: true, text: "second time lucky", replayed: false });
    expect(g.model!.requests).toHaveLength(2);
  });

  it("refuses bad params (-32602) before anything reaches the agent", async () => {
    const g = await startGateway({ turns: [] });
    const client = await g.connect();
    for (const [params, path] of [
      [{ message: "x" }, "idempotencyKey"],
      [{ message: "x", idempotencyKey: "" }, "idempotencyKey"],
      [{ message: "x", idempotencyKey: "k".repeat(129) }, "idempotencyKey"],
      [{ message: "", idempotencyKey: "k" }, "message"],
      [{ message: 42, idempotencyKey: "k" }, "message"],
      [{ message: "x", idempotencyKey: "k", sessionKey: "agent:main" }, "sessionKey"],
      [{ message: "x", idempotencyKey: "k", sessionKey: "subagent:agent:main:helper" }, "sessionKey"],
      [{ message: "x", idempotencyKey: "k", sessionKey: "agent:main:main", agentId: "writer" }, "agentId"],
      [{ message: "x", idempotencyKey: "k", agentId: "../etc" }, "agentId"],
      [{ message: "x", idempotencyKey: "k", priority: "high" }, ""],
    ] as const) {
      const response = await client.call("chat.send", params);
      expect(response.error, JSON.stringify(params)).toMatchObject({ code: -32602 });
      expect(response.error.data.issues.map((i: { path: string }) => i.path), JSON.stringify(params)).toContain(path);
    }
    expect(g.model!.requests).toHaveLength(0);
    const abort = await client.call("chat.abort", {});
    expect(abort.error).toMatchObject({ code: -32602 });
    expect((await client.call("chat.abort", { idempotencyKey: "a", sessionKey: "agent:main:main" })).error).toMatchObject({ code: -32602 });
  });
});

describe("stopping turns", () => {
  /** Starts a turn the fake model takes long to answer; resolves once it has started. */
  async function slowTurn(client: RpcTestClient, key: string, sessionKey?: string) {
    const result = client.request("chat.send", { message: "take your time", idempotencyKey: key, ...(sessionKey ? { sessionKey } : {}) });
    await client.waitFor(() => client.chatEvents(key).find((e) => e.event.type === "turn.started"));
    return result;
  }

  it("chat.abort by key stops the turn: its chat.send answers ALEPH_E_CANCELLED, and the key may be sent again", async () => {
    const g = await startGateway({ turns: [{ text: "never finished", firstTokenDelayMs: 30_000 }, { text: "done now" }] });
    const client = await g.connect();
    const running = slowTurn(client, "long");
    await until(() => g.model!.requests.length === 1, 10_000, "the model call");
    expect(await client.request("chat.abort", { idempotencyKey: "long" })).toEqual({ aborted: 1 });
    expect(await running).toMatchObject({ ok: false, code: "ALEPH_E_CANCELLED", replayed: false });
    expect(client.chatEvents("long").at(-1).event).toMatchObject({ type: "turn.failed", code: "ALEPH_E_CANCELLED" });
    expect(await client.request("chat.abort", { idempotencyKey: "long" })).toEqual({ aborted: 0 });
    expect(await client.request("chat.send", { message: "take your time", idempotencyKey: "long" })).toMatchObject({ ok: true, text: "done now" });
  });

  it("chat.abort by session stops that session's turns only", async () => {
    const g = await startGateway({ turns: [{ text: "slow a", firstTokenDelayMs: 30_000 }, { text: "quick b", firstTokenDelayMs: 300 }] });
    const client = await g.connect();
    const a = slowTurn(client, "a", "agent:main:web:dm:a");
    await until(() => g.model!.requests.length === 1, 10_000, "the model call");
    const b = slowTurn(client, "b", "agent:main:web:dm:b");
    expect(await client.request("chat.abort", { sessionKey: "agent:main:web:dm:a" })).toEqual({ aborted: 1 });
    expect(await a).toMatchObject({ ok: false, code: "ALEPH_E_CANCELLED" });
    expect(await b).toMatchObject({ ok: true, text: "quick b" });
  });

  it("a connection that closes stops its turns", async () => {
    const g = await startGateway({ turns: [{ text: "never read", firstTokenDelayMs: 30_000 }] });
    const client = await g.connect();
    void slowTurn(client, "gone").catch(() => undefined);
    await client.waitFor(() => client.chatEvents("gone").find((e) => e.event.type === "turn.started"));
    client.close();
    const failed = await g.kernel.waitFor("agent.turn.failed", () => true, 10_000);
    expect(failed).toMatchObject({ sessionKey: "agent:main:main", code: "ALEPH_E_CANCELLED" });
  });

  it("lets one connection run at most 16 chat.send at once", async () => {
    const g = await startGateway({ turns: Array.from({ length: 16 }, () => ({ text: "slow", firstTokenDelayMs: 30_000 })) });
    const client = await g.connect();
    for (let i = 0; i < 16; i++) void client.request("chat.send", { sessionKey: `agent:main:web:dm:p${i}`, message: "x", idempotencyKey: `k${i}` }).catch(() => undefined);
    await client.waitFor(() => (client.notifications.filter((n) => n.method === "chat.event" && n.params.event.type === "turn.started").length === 16 ? true : undefined));
    const over = await client.call("chat.send", { sessionKey: "agent:main:web:dm:p16", message: "x", idempotencyKey: "k16" });
    expect(over.error).toMatchObject({ code: -32000, data: { code: "ALEPH_E_LIMIT" } });
    // Another connection has its own allowance.
    const other = await g.connect();
    expect(await other.request("status")).toMatchObject({ connections: 2 });
  });
});
