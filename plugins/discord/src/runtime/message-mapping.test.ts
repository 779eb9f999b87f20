import { describe, expect, it } from "vitest";
import { mapMessage, type DiscordMessagePayload } from "./message-mapping.js";

const bot = { id: "1190000000000000001", username: "aleph-bot" };
const alice = { id: "1190000000000000200", username: "alice", global_name: "Alice A." };
const GUILD = "1190000000000000100";
const CHANNEL = "1190000000000000101";

function message(fields: Partial<DiscordMessagePayload> = {}): DiscordMessagePayload {
  return {
    id: "1190000000000001000",
    channel_id: CHANNEL,
    author: alice,
    content: "hello",
    timestamp: "2025-01-02T03:04:05.678000+00:00",
    type: 0,
    mentions: [],
    attachments: [],
    ...fields,
  };
}

describe("mapMessage", () => {
  it("maps a DM: kind dm, the author as peer, the DM channel as chatId, the send time", () => {
    expect(mapMessage(message({ content: "  what time is it?  " }), bot, "discord")).toEqual({
      message: {
        channel: "discord",
        chatId: CHANNEL,
        kind: "dm",
        peer: { id: alice.id, name: "Alice A.", username: "alice" },
        text: "what time is it?",
        messageId: "1190000000000001000",
        mentionsBot: false,
        sentAt: Date.parse("2025-01-02T03:04:05.678Z"),
      },
    });
  });

  it("maps a guild message: kind group, the guild as groupId, the channel as chatId, the nickname as name; strips the leading bot mention", () => {
    for (const mention of [`<@${bot.id}>`, `<@!${bot.id}>`]) {
      const mapped = mapMessage(message({ guild_id: GUILD, member: { nick: "Ali" }, content: `${mention} summarise this`, mentions: [{ ...bot }] }), bot, "discord");
      expect(mapped).toMatchObject({ message: { kind: "group", groupId: GUILD, chatId: CHANNEL, peer: { name: "Ali" }, text: "summarise this", mentionsBot: true } });
    }
    // A mention later in the text stays, readable; other users' mentions read as @name.
    const inside = mapMessage(message({ guild_id: GUILD, content: `ask <@${bot.id}> or <@1190000000000000300> or <@1190000000000000999>`, mentions: [{ ...bot }, { id: "1190000000000000300", username: "bob" }] }), bot, "discord");
    expect(inside).toMatchObject({ message: { text: "ask @aleph-bot or @bob or <@1190000000000000999>", mentionsBot: true } });
    // Not mentioned: mentionsBot false (the registry decides whether a group message is the agent's).
    expect(mapMessage(message({ guild_id: GUILD, content: "just chatting" }), bot, "discord")).toMatchObject({ message: { mentionsBot: false, text: "just chatting" } });
  });

  it("sets replyTo from message_reference, toBot when the referenced message is the bot's; a forward is no reply", () => {
    const toBot = mapMessage(message({ guild_id: GUILD, type: 19, message_reference: { type: 0, message_id: "1190000000000000500" }, referenced_message: { author: { id: bot.id } }, mentions: [{ ...bot }] }), bot, "discord");
    expect(toBot).toMatchObject({ message: { replyTo: { messageId: "1190000000000000500", toBot: true }, mentionsBot: true } });
    const toOther = mapMessage(message({ type: 19, message_reference: { message_id: "1190000000000000501" }, referenced_message: { author: { id: alice.id } } }), bot, "discord");
    expect(toOther).toMatchObject({ message: { replyTo: { messageId: "1190000000000000501", toBot: false } } });
    const deleted = mapMessage(message({ type: 19, message_reference: { message_id: "1190000000000000502" }, referenced_message: null }), bot, "discord");
    expect(deleted).toMatchObject({ message: { replyTo: { messageId: "1190000000000000502", toBot: false } } });
    const forward = mapMessage(message({ message_reference: { type: 1, message_id: "1190000000000000503" } }), bot, "discord");
    expect(forward).toMatchObject({ message: { text: "hello" } });
    expect("message" in forward && "replyTo" in forward.message).toBe(false);
  });

  it("ignores the bot's own messages, other bots', webhooks' and system messages, and messages with nothing to read", () => {
    expect(mapMessage(message({ author: { ...bot, bot: true } }), bot, "discord")).toEqual({ ignored: "the bot's own message" });
    expect(mapMessage(message({ author: { id: "1190000000000000777", username: "otherbot", bot: true } }), bot, "discord")).toEqual({ ignored: "another bot's message" });
    expect(mapMessage(message({ webhook_id: "1190000000000000888" }), bot, "discord")).toEqual({ ignored: "a webhook's message" });
    expect(mapMessage(message({ type: 7 }), bot, "discord")).toEqual({ ignored: "a system message (type 7)" });
    expect(mapMessage(message({ content: "" }), bot, "discord")).toMatchObject({ ignored: expect.stringMatching(/^no text/) });
    expect(mapMessage(message({ guild_id: GUILD, content: `<@${bot.id}>`, mentions: [{ ...bot }] }), bot, "discord")).toMatchObject({ ignored: expect.stringMatching(/^no text/) });
  });

  it("lists attachments after the text", () => {
    const mapped = mapMessage(message({ content: "see file", attachments: [{ filename: "notes.txt", url: "https://cdn.example/notes.txt", size: 13, content_type: "text/plain" }] }), bot, "discord");
    expect(mapped).toMatchObject({ message: { text: "see file\n[attachment: notes.txt (text/plain, 13 bytes) https://cdn.example/notes.txt]" } });
  });
});
