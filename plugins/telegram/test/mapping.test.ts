import type { ChannelMessage } from "@aleph/plugin-sdk";
import { describe, expect, it } from "vitest";
import { fakeTelegram, inbox, newAdapter, startAdapter } from "./support.js";

/*
 * Polling and mapping: what a user does in Telegram (the fake Bot API plays the users) arrives at
 * deliver() as the ChannelMessage the channels registry expects.
 */

describe("the telegram adapter receiving", () => {
  it("delivers a private message as a dm from its sender, with the chat-qualified message id", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram);
    const received = inbox();
    expect(adapter.status().state).toBe("stopped");
    await startAdapter(adapter, received.deliver);
    // Running once Telegram knows the bot; liveness comes with the first answered poll.
    await telegram.waitForPoll();
    expect(adapter.status()).toEqual({ state: "running", botName: "@aleph_test_bot" });

    const update = telegram.sendUserMessage({ text: "hello there" });
    const [message] = await received.received(1);
    expect(message).toEqual<ChannelMessage>({
      channel: "telegram",
      chatId: "1001",
      kind: "dm",
      peer: { id: "1001", name: "Ada", username: "ada_lovelace" },
      text: "hello there",
      messageId: `1001:${update.message!.message_id}`,
      mentionsBot: false,
      sentAt: update.message!.date * 1000,
    });
    expect(adapter.status()).toMatchObject({ state: "running", botName: "@aleph_test_bot", lastReceiveAt: expect.any(Number) });
    // It asked for messages only.
    const poll = await telegram.waitForRequest("getUpdates");
    expect(poll.params).toMatchObject({ allowed_updates: ["message"], timeout: 5 });
  });

  it("delivers group messages as the group's, with mentions, replies to the bot and commands addressed to it", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram);
    const received = inbox();
    await startAdapter(adapter, received.deliver);
    const group = { id: -1001234, type: "supergroup" as const, title: "Team" };
    const bo = { id: 7, first_name: "Bo", last_name: "Diddley" };

    telegram.sendUserMessage({ text: "@aleph_test_bot what is on today?", chat: group, from: bo });
    const [mentioned] = await received.received(1);
    expect(mentioned).toMatchObject({
      chatId: "-1001234",
      kind: "group",
      groupId: "-1001234",
      peer: { id: "7", name: "Bo Diddley" },
      text: "@aleph_test_bot what is on today?",
      mentionsBot: true,
    });
    expect(mentioned!.peer.username).toBeUndefined();

    // The bot says something in the group; a reply to it is a reply to the bot.
    const receipt = await adapter.send("-1001234", "Two meetings.");
    const botMessageId = Number(receipt.messageIds[0]!.split(":")[1]);
    telegram.sendUserMessage({ text: "which ones?", chat: group, from: bo, replyToMessageId: botMessageId });
    telegram.sendUserMessage({ text: "chatting among ourselves", chat: group, from: bo });
    const [, reply, chatter] = await received.received(3);
    expect(reply).toMatchObject({ text: "which ones?", mentionsBot: false, replyTo: { messageId: receipt.messageIds[0], toBot: true } });
    expect(chatter).toMatchObject({ text: "chatting among ourselves", mentionsBot: false });
    expect(chatter!.replyTo).toBeUndefined();

    // A reply to another person is no reply to the bot.
    const ada = telegram.sendUserMessage({ text: "I'll go", chat: group, from: { id: 8, first_name: "Ada" } });
    telegram.sendUserMessage({ text: "me too", chat: group, from: bo, replyToMessageId: ada.message!.message_id });
    const [, , , , toAda] = await received.received(5);
    expect(toAda).toMatchObject({ replyTo: { messageId: `-1001234:${ada.message!.message_id}`, toBot: false } });

    // A command addressed to this bot mentions it; one for another bot does not (the registry drops it). The text is as written.
    telegram.sendUserMessage({ text: "/status@other_bot", chat: group, from: bo });
    telegram.sendUserMessage({ text: "/new@aleph_test_bot please", chat: group, from: bo });
    const [, , , , , others, command] = await received.received(7);
    expect(others).toMatchObject({ text: "/status@other_bot", mentionsBot: false });
    expect(command).toMatchObject({ text: "/new@aleph_test_bot please", mentionsBot: true });
    // A user picked from the list without a username: a text_mention of the bot.
    telegram.sendUserMessage({
      text: "Aleph, summarise",
      chat: group,
      from: bo,
      entities: [{ type: "text_mention", offset: 0, length: 5, user: { id: telegram.bot.id, is_bot: true, first_name: "Aleph" } } as never],
    });
    const all = await received.received(8);
    expect(all[7]).toMatchObject({ text: "Aleph, summarise", mentionsBot: true });
  });

  it("takes a caption as the text and passes over what has no text, moving on past it", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram);
    const received = inbox();
    await startAdapter(adapter, received.deliver);
    const from = { id: 1001, is_bot: false, first_name: "Ada" };
    const chat = { id: 1001, type: "private" as const, first_name: "Ada" };
    const sticker = telegram.pushUpdate({ message: { message_id: 50, from, chat, date: 1_700_000_000, sticker: { file_id: "x" } } as never });
    telegram.pushUpdate({ message: { message_id: 51, from, chat, date: 1_700_000_000, photo: [], caption: "look at this" } as never });
    telegram.sendUserMessage({ text: "and this" });
    const messages = await received.received(2);
    expect(messages.map((message) => [message.text, message.messageId])).toEqual([
      ["look at this", "1001:51"],
      ["and this", expect.stringMatching(/^1001:/)],
    ]);
    expect(adapter.logger.lines).toContainEqual(expect.objectContaining({ level: "debug", msg: "ignored an update", fields: expect.objectContaining({ updateId: sticker.update_id, what: "a message without text (sticker)" }) }));
  });
});
