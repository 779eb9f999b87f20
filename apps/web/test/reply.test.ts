import { describe, expect, test } from "vitest";
import { applyCallError, applyChatEvent, applyResult, emptyReply, replyText, type ReplyState } from "../src/chat/reply.js";
import type { AgentTurnEvent } from "../src/rpc/types.js";

const started: AgentTurnEvent = { type: "turn.started", turnId: "t1", agentId: "main", sessionKey: "agent:main:main" };
const text = (t: string): AgentTurnEvent => ({ type: "text", text: t });

/** Applies [seq, event] pairs in the order given. */
function feed(pairs: [number, AgentTurnEvent][], state: ReplyState = emptyReply()): ReplyState {
  return pairs.reduce((s, [seq, event]) => applyChatEvent(s, seq, event), state);
}

describe("reply assembly from chat.event notifications", () => {
  test("text pieces are joined in seq order even when the notifications arrive out of order", () => {
    const state = feed([
      [1, started],
      [4, text("world")],
      [2, text("Hello")],
      [3, text(", ")],
    ]);
    expect(replyText(state)).toBe("Hello, world");
    expect(state.parts).toEqual([{ kind: "text", text: "Hello, world" }]);
    expect(state.nextSeq).toBe(5);
    expect(state.early).toEqual({});
    expect(state.turnId).toBe("t1");
  });

  test("an event after a gap waits until the gap is filled", () => {
    const waiting = feed([
      [1, started],
      [3, text("second")],
    ]);
    expect(replyText(waiting)).toBe("");
    expect(Object.keys(waiting.early)).toEqual(["3"]);
    expect(replyText(applyChatEvent(waiting, 2, text("first "))))
      .toBe("first second");
  });

  test("a repeated seq is ignored: no doubled text", () => {
    const state = feed([
      [1, started],
      [2, text("once")],
      [2, text("once")],
      [3, text("!")],
      [3, text("!")],
      [1, started],
    ]);
    expect(replyText(state)).toBe("once!");
  });

  test("a seq that is not a positive integer is ignored", () => {
    const state = feed([
      [0, text("zero")],
      [1.5, text("half")],
      [Number.NaN, text("nan")],
    ]);
    expect(state).toEqual(emptyReply());
  });

  test("a tool call and its result are one part; text around it stays in order", () => {
    const state = feed([
      [1, started],
      [2, text("Let me count. ")],
      [3, { type: "tool.call", id: "c1", name: "word_count", arguments: { text: "a b" } }],
      [4, { type: "tool.result", id: "c1", name: "word_count", ok: true, content: '{"count":2}' }],
      [5, text("Two words.")],
    ]);
    expect(state.parts).toEqual([
      { kind: "text", text: "Let me count. " },
      { kind: "tool", id: "c1", name: "word_count", arguments: { text: "a b" }, result: { ok: true, content: '{"count":2}' } },
      { kind: "text", text: "Two words." },
    ]);
  });

  test("an approval request waits until resolved", () => {
    const waiting = feed([
      [1, started],
      [2, { type: "tool.call", id: "c1", name: "shell", arguments: { command: "ls" } }],
      [3, { type: "approval.requested", approval: { id: "a1", tool: "shell", summary: "run `ls`", args: { command: "ls" }, agentId: "main", sessionKey: "agent:main:main", requestedAt: "2026-12-07T10:00:00.000Z", expiresAt: "2026-12-07T10:02:00.000Z" } }],
    ]);
    expect(waiting.parts[1]).toEqual({ kind: "approval", id: "a1", tool: "shell", summary: "run `ls`" });
    const resolved = applyChatEvent(waiting, 4, { type: "approval.resolved", id: "a1", approved: false, by: "timeout", reason: "not interactive" });
    expect(resolved.parts[1]).toMatchObject({ kind: "approval", resolved: { approved: false, by: "timeout", reason: "not interactive" } });
  });

  test("thinking and failover are parts of their own; an unknown event type is skipped", () => {
    const state = feed([
      [1, started],
      [2, { type: "thinking", text: "hmm" }],
      [3, { type: "thinking", text: "…" }],
      [4, { type: "failover", from: "first", to: "second", reason: "HTTP 503" }],
      [5, { type: "something.new" } as unknown as AgentTurnEvent],
      [6, text("ok")],
    ]);
    expect(state.parts).toEqual([
      { kind: "thinking", text: "hmm…" },
      { kind: "failover", from: "first", to: "second", reason: "HTTP 503" },
      { kind: "text", text: "ok" },
    ]);
    expect(state.nextSeq).toBe(7);
  });

  test("turn.completed ends the reply with who answered; streamed text that ends with the final text stands", () => {
    const state = feed([
      [1, started],
      [2, text("Before the tool. ")],
      [3, text("The answer.")],
      [4, { type: "turn.completed", turnId: "t1", text: "The answer.", usage: { inputTokens: 10, outputTokens: 3 }, ms: 120, iterations: 1, provider: "local", model: "fake-model" }],
    ]);
    expect(state.status).toBe("ok");
    expect(replyText(state)).toBe("Before the tool. The answer.");
    expect(state.done).toEqual({ provider: "local", model: "fake-model", ms: 120, usage: { inputTokens: 10, outputTokens: 3 } });
  });

  test("when the streamed pieces miss the final text (a replay streams only the end), the turn's text replaces them", () => {
    const state = feed([[1, { type: "turn.completed", turnId: "t1", text: "Stored answer.", usage: { inputTokens: 0, outputTokens: 0 }, iterations: 0, ms: 5, provider: "p", model: "m" }]]);
    expect(state.parts).toEqual([{ kind: "text", text: "Stored answer." }]);
  });

  test("turn.failed with ALEPH_E_CANCELLED is a stop; any other code a failure with its fix", () => {
    const stopped = feed([
      [1, started],
      [2, { type: "turn.failed", turnId: "t1", code: "ALEPH_E_CANCELLED", message: "the turn was cancelled" }],
    ]);
    expect(stopped.status).toBe("stopped");
    const failed = feed([
      [1, started],
      [2, { type: "turn.failed", turnId: "t1", code: "ALEPH_E_PROVIDER_NONE", message: "no provider is configured", fix: "add one to providers.toml" }],
    ]);
    expect(failed).toMatchObject({ status: "failed", failure: { code: "ALEPH_E_PROVIDER_NONE", message: "no provider is configured", fix: "add one to providers.toml" } });
  });
});

describe("the chat.send result and call errors", () => {
  test("an ok result settles the reply, even with notifications still missing", () => {
    const partial = feed([
      [1, started],
      [2, text("Hel")],
    ]);
    const state = applyResult(partial, { idempotencyKey: "k", sessionKey: "agent:main:main", turnId: "t1", ok: true, text: "Hello.", provider: "local", model: "fake-model", ms: 9, replayed: true });
    expect(state.status).toBe("ok");
    expect(replyText(state)).toBe("Hello.");
    expect(state.done).toMatchObject({ replayed: true, provider: "local" });
  });

  test("a failed result carries its code, message and fix", () => {
    const state = applyResult(emptyReply(), { idempotencyKey: "k", sessionKey: "s", ok: false, code: "ALEPH_E_CANCELLED", message: "stopped by chat.abort" });
    expect(state).toMatchObject({ status: "stopped", failure: { code: "ALEPH_E_CANCELLED" } });
  });

  test("a call error fails a running reply only", () => {
    const failed = applyCallError(emptyReply(), { message: "chat.send: the connection closed (code 1006)" });
    expect(failed).toMatchObject({ status: "failed", failure: { code: undefined, message: "chat.send: the connection closed (code 1006)" } });
    const refused = applyCallError(emptyReply(), { code: "RPC -32602", message: "invalid params", fix: "f" });
    expect(refused.failure).toEqual({ code: "RPC -32602", message: "invalid params", fix: "f" });
    const done = applyResult(emptyReply(), { idempotencyKey: "k", sessionKey: "s", ok: true, text: "fine" });
    expect(applyCallError(done, { message: "late" })).toBe(done);
  });
});

describe("what the reply says about who answered", () => {
  test("the result keeps turn.completed's usage when it leaves it out", () => {
    const completed = feed([
      [1, started],
      [2, text("Hi.")],
      [3, { type: "turn.completed", turnId: "t1", text: "Hi.", usage: { inputTokens: 4, outputTokens: 2 }, iterations: 1, ms: 30, provider: "local", model: "fake-model" }],
    ]);
    const state = applyResult(completed, { idempotencyKey: "k", sessionKey: "s", ok: true, text: "Hi.", ms: 31 });
    expect(state.done).toEqual({ provider: "local", model: "fake-model", ms: 31, usage: { inputTokens: 4, outputTokens: 2 }, replayed: undefined });
  });
});
