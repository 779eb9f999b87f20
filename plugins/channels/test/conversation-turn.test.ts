/*
 * The SDK's conversationTurn (packages/plugin-sdk/src/conversation-turn.ts) against the real agent,
 * sessions and chat plugins: the inbound message and the reply in the chat, idempotent on the
 * message id, the turn going on without a chat or when the chat refuses a write, nothing posted for
 * a failed turn. (Here rather than beside it: the SDK package cannot load plugins.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { agentRef, chatRef, conversationTurn, sessionsRef, type AgentTurnEvent, type ConversationServices, type ConversationTurnInput } from "@aleph/plugin-sdk";
import { cleanup, setup } from "./kernel.js";

afterEach(cleanup);

async function run(services: ConversationServices, input: ConversationTurnInput, signal?: AbortSignal): Promise<AgentTurnEvent[]> {
  const events: AgentTurnEvent[] = [];
  for await (const event of conversationTurn(services, input, signal ? { signal } : {})) events.push(event);
  return events;
}

describe("conversationTurn", () => {
  it("posts the inbound message, runs the turn, posts the reply; the same id again posts nothing new and calls no model", async () => {
    const { kernel, model } = await setup({ noChannel: true, turns: [{ text: "Four." }] });
    const services = { agent: kernel.service(agentRef)!, chat: kernel.service(chatRef)! };
    const input = { text: "2+2?", sessionKey: "agent:main:cron:math", chatId: "cron-math", from: "cron:math", id: "run-1" };
    const first = await run(services, input);
    expect(first.at(-1)).toMatchObject({ type: "turn.completed", text: "Four." });
    const again = await run(services, input);
    expect(again.at(-1)).toMatchObject({ type: "turn.completed", text: "Four.", iterations: 0 });
    expect(model.requests).toHaveLength(1);
    const chat = await services.chat.read("cron-math");
    expect(chat.messages.map((m) => [m.from, m.content, m.key])).toEqual([
      ["cron.math", "2+2?", "in:run-1"],
      ["agent.main", "Four.", "out:run-1"],
    ]);
    expect((await kernel.service(sessionsRef)!.history("agent:main:cron:math")).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("runs without a chat, and without a chat id records nothing in the chat", async () => {
    const { kernel } = await setup({ noChannel: true, turns: [{ text: "a" }, { text: "b" }] });
    const agent = kernel.service(agentRef)!;
    expect((await run({ agent }, { text: "x", chatId: "nochat", from: "gateway" })).at(-1)).toMatchObject({ type: "turn.completed", text: "a" });
    const chat = kernel.service(chatRef)!;
    expect((await run({ agent, chat }, { text: "y", from: "gateway" })).at(-1)).toMatchObject({ type: "turn.completed", text: "b" });
    expect((await chat.read("nochat")).messages).toEqual([]);
  });

  it("goes on when the chat refuses a write, reporting it to onChatError", async () => {
    const { kernel } = await setup({ noChannel: true, turns: [{ text: "still answered" }] });
    const errors: unknown[] = [];
    const events = await run({ agent: kernel.service(agentRef)!, chat: kernel.service(chatRef)!, onChatError: (e) => errors.push(e) }, { text: "hi", chatId: "../escape", from: "user:1" });
    expect(events.at(-1)).toMatchObject({ type: "turn.completed", text: "still answered" });
    expect(errors).toEqual([expect.objectContaining({ code: "ALEPH_E_INVALID_ID" }), expect.objectContaining({ code: "ALEPH_E_INVALID_ID" })]);
  });

  it("posts only the inbound message for a failed turn, and stops when its signal aborts", async () => {
    const { kernel, model } = await setup({ noChannel: true, turns: [{ type: "error", status: 400, body: { error: { message: "no" } } }, { text: "slow", firstTokenDelayMs: 20_000 }] });
    const services = { agent: kernel.service(agentRef)!, chat: kernel.service(chatRef)! };
    const failed = await run(services, { text: "fail please", chatId: "main-main", from: "user:1", id: "f-1" });
    expect(failed.at(-1)).toMatchObject({ type: "turn.failed" });
    expect((await services.chat.read("main-main")).messages.map((m) => m.from)).toEqual(["user.1"]);

    const controller = new AbortController();
    const slow = run(services, { text: "take your time", chatId: "main-main", from: "user:1", id: "s-1" }, controller.signal);
    while (model.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const events = await slow;
    expect(events.some((e) => e.type === "turn.completed")).toBe(false);
    expect((await services.chat.read("main-main")).messages.map((m) => m.from)).toEqual(["user.1", "user.1"]);
  });
});
