/*
 * Messages in, replies out, through the real agent: who is answered (allow_from, @usernames,
 * allow_groups, bots never), when a group message is the agent's, where each conversation is kept
 * (session key, chat id, the chat JSONL), the events, the reply's threading, a failed turn.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chatRef, sessionsRef } from "@aleph/plugin-sdk";
import { askedTexts, cleanup, logLine, setup } from "./kernel.js";

afterEach(cleanup);

describe("a DM from an allowed sender", () => {
  it("is answered: the session agent:<agent>:<channel>:dm:<peer>, the chat <channel>-dm-<peer> holding inbound and reply, events, typing", async () => {
    const { kernel, model, platform } = await setup({ turns: [{ text: "Hello, Ada." }], routing: { allow_from: ["42"] } });
    await platform.say({ peer: { id: "42", name: "Ada" }, chatId: "dm-chat-42", messageId: "m-1", text: "hi there" });

    // deliver resolved: the reply is out and the message recorded.
    expect(platform.sent).toEqual([{ chatId: "dm-chat-42", text: "Hello, Ada.", messageIds: [expect.any(String)] }]);
    expect(askedTexts(model)).toEqual([expect.stringContaining("hi there")]);
    expect(platform.typingCalls).toContain("dm-chat-42");

    const history = await kernel.service(sessionsRef)!.history("agent:main:fake:dm:42");
    expect(history.map((m) => [m.role, m.content])).toEqual([
      ["user", "hi there"],
      ["assistant", "Hello, Ada."],
    ]);
    const chat = await kernel.service(chatRef)!.read("fake-dm-42");
    expect(chat.messages.map((m) => [m.from, m.content, m.key])).toEqual([
      ["user.42", "hi there", "in:fake:m-1"],
      ["agent.main", "Hello, Ada.", "out:fake:m-1"],
    ]);

    expect(kernel.eventsNamed("message.received")).toEqual([
      expect.objectContaining({ channel: "fake", chatId: "dm-chat-42", kind: "dm", messageId: "m-1", text: "hi there", agentId: "main", sessionKey: "agent:main:fake:dm:42", conversation: "fake-dm-42" }),
    ]);
    expect(kernel.eventsNamed("message.sent")).toEqual([{ channel: "fake", chatId: "dm-chat-42", messageIds: platform.sent[0]!.messageIds, sessionKey: "agent:main:fake:dm:42" }]);

    // The message is recorded as answered, durably, before deliver resolved.
    const ledger = JSON.parse(readFileSync(join(kernel.root, "data", "channels", "handled", "fake.json"), "utf8")) as { ids: string[] };
    expect(ledger.ids).toEqual(["m-1"]);

    // Privacy: the log has ids and lengths, not what was said.
    const log = await logLine(kernel.root, /"reply sent"/);
    expect(log).toMatch(/"message received"/);
    expect(log).not.toContain("hi there");
    expect(log).not.toContain("Hello, Ada.");
  });

  it("routes to the configured agent, and matches @usernames without regard to case", async () => {
    const { kernel, platform } = await setup({ turns: [{ text: "From ops." }], routing: { agent: "ops", allow_from: ["@ADA"] } });
    await platform.say({ peer: { id: "7", username: "ada" }, text: "status?" });
    expect(platform.sent.map((s) => s.text)).toEqual(["From ops."]);
    expect((await kernel.service(sessionsRef)!.get("agent:ops:fake:dm:7"))?.key).toBe("agent:ops:fake:dm:7");
    // The same @handle spelled as a user id does not match an id, nor an id a handle.
    await platform.say({ peer: { id: "ada" }, text: "me too" });
    expect(platform.sent.filter((s) => s.chatId === "dm-ada").map((s) => s.text)).toEqual([expect.stringMatching(/aleph interfaces pair/)]);
  });

  it("never answers a bot, even one that is allowed", async () => {
    const { model, platform } = await setup({ routing: { allow_from: ["99"] } });
    await platform.say({ peer: { id: "99", bot: true }, text: "beep" });
    expect(platform.sent).toEqual([]);
    expect(model.requests).toEqual([]);
  });
});

describe("groups", () => {
  it('with group_trigger "mention": only a mention or a reply to the bot is answered, the mention is stripped, the reply quotes the message', async () => {
    const { kernel, model, platform } = await setup({ turns: [{ text: "It is noon." }, { text: "You're welcome." }], routing: { allow_groups: ["g-1"] } });
    const group = { kind: "group" as const, chatId: "room-5", groupId: "g-1", peer: { id: "301", name: "Bo" } };

    await platform.say({ ...group, messageId: "g-m1", text: "anyone around?" });
    expect(platform.sent).toEqual([]);
    expect(model.requests).toEqual([]);

    await platform.say({ ...group, messageId: "g-m2", text: "@aleph_bot what time is it?", mentionsBot: true });
    expect(askedTexts(model)[0]).toContain("what time is it?");
    expect(askedTexts(model)[0]).not.toContain("@aleph_bot");
    expect(platform.sent).toEqual([{ chatId: "room-5", text: "It is noon.", replyTo: "g-m2", messageIds: [expect.any(String)] }]);

    await platform.say({ ...group, peer: { id: "302" }, messageId: "g-m3", text: "thanks", replyTo: { messageId: platform.sent[0]!.messageIds[0]!, toBot: true } });
    expect(platform.sent.map((s) => [s.text, s.replyTo])).toEqual([
      ["It is noon.", "g-m2"],
      ["You're welcome.", "g-m3"],
    ]);

    // One session and one chat per group, whoever speaks; the chat says who.
    const history = await kernel.service(sessionsRef)!.history("agent:main:fake:group:g-1");
    expect(history.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["what time is it?", "thanks"]);
    const chat = await kernel.service(chatRef)!.read("fake-group-g_2d1");
    expect(chat.messages.map((m) => m.from)).toEqual(["user.301", "agent.main", "user.302", "agent.main"]);
  });

  it('with group_trigger "all" every message of an allowed group is answered; a group not allowed is ignored, without a pairing code', async () => {
    const { model, platform } = await setup({ turns: [{ text: "Noted." }], routing: { allow_groups: ["-100"], group_trigger: "all" } });
    await platform.say({ kind: "group", chatId: "-100", peer: { id: "5" }, text: "deploy is done" });
    expect(platform.sent.map((s) => [s.chatId, s.text])).toEqual([["-100", "Noted."]]);

    await platform.say({ kind: "group", chatId: "-200", peer: { id: "6" }, text: "@aleph_bot hello?", mentionsBot: true });
    expect(platform.sent).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
  });

  it("a sender in allow_from is answered in any group", async () => {
    const { platform } = await setup({ turns: [{ text: "Yes?" }], routing: { allow_from: ["5"] } });
    await platform.say({ kind: "group", chatId: "-300", peer: { id: "5" }, text: "@aleph_bot ping", mentionsBot: true });
    expect(platform.sent.map((s) => s.text)).toEqual(["Yes?"]);
  });
});

describe("a failed turn", () => {
  it("sends a short apology with the error code, never the stack, and logs the failure", async () => {
    const { kernel, platform } = await setup({ turns: [{ type: "error", status: 400, body: { error: { message: "model exploded", type: "invalid_request_error" } } }], routing: { allow_from: ["42"] } });
    await platform.say({ text: "do the thing", messageId: "f-1" });
    expect(platform.sent).toHaveLength(1);
    const apology = platform.sent[0]!.text;
    expect(apology).toMatch(/^Sorry, I couldn't answer that \(ALEPH_E_[A-Z_]+\)\./);
    expect(apology).not.toMatch(/model exploded|at .*\.js|\n/);
    await logLine(kernel.root, /"code":"ALEPH_E_[A-Z_]+".*"msg":"turn failed: apology sent"/);
    // Answered (with the apology): not answered again when delivered again.
    await platform.say({ text: "do the thing", messageId: "f-1" });
    expect(platform.sent).toHaveLength(1);
  });
});
