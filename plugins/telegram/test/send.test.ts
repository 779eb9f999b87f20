import { describe, expect, it } from "vitest";
import { fakeTelegram, inbox, newAdapter, startAdapter, steppedSleep } from "./support.js";

/*
 * Sending: plain text split at Telegram's 4096 code points, the first part a reply, 429s waited
 * out, failures as errors that say what to do; "typing…" as a best effort.
 */

const ada = { id: 1001, type: "private" as const, first_name: "Ada" };

describe("the telegram adapter sending", () => {
  it("sends a long reply as several messages of at most 4096 code points, the first one replying, as plain text", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    const question = telegram.sendUserMessage({ text: "tell me everything" });
    const paragraph = (n: number) => `*Part ${n}* with_underscores_ and [brackets](` + " lorem ipsum".repeat(150);
    const text = Array.from({ length: 6 }, (_, n) => paragraph(n)).join("\n\n");
    expect([...text].length).toBeGreaterThan(2 * 4096);

    const receipt = await adapter.send("1001", text, { replyTo: `1001:${question.message!.message_id}` });
    const sent = telegram.sentMessages(1001);
    expect(sent).toHaveLength(3);
    expect(receipt.messageIds).toEqual(sent.map((message) => `1001:${message.messageId}`));
    for (const message of sent) {
      expect([...message.text].length).toBeLessThanOrEqual(4096);
      // Plain text: no parse mode, so Markdown-looking output arrives as it was written.
      expect(message.params.parse_mode).toBeUndefined();
    }
    expect(sent.map((message) => message.text).join("\n\n")).toBe(text);
    expect(sent[0]!.params.reply_parameters).toEqual({ message_id: question.message!.message_id, allow_sending_without_reply: true });
    expect(sent[0]!.message.reply_to_message?.message_id).toBe(question.message!.message_id);
    expect(sent.slice(1).map((message) => message.params.reply_parameters)).toEqual([undefined, undefined]);
    expect(adapter.status().lastSendAt).toEqual(expect.any(Number));
  });

  it("still answers when the message replied to is gone", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    const receipt = await adapter.send("1001", "an answer", { replyTo: "1001:999" });
    expect(receipt.messageIds).toHaveLength(1);
    expect(telegram.sentMessages(1001)[0]!.message.reply_to_message).toBeUndefined();
  });

  it("waits out a 429 for as long as retry_after says and sends the part again, once", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { sleep: sleeps.sleep });
    telegram.failNext("sendMessage", { error_code: 429, retry_after: 7 });
    const sending = adapter.send("1001", "patience");
    await sleeps.asked(1);
    expect(sleeps.delays).toEqual([7000]);
    expect(telegram.sentMessages()).toHaveLength(0);
    sleeps.release();
    const receipt = await sending;
    expect(receipt.messageIds).toHaveLength(1);
    expect(telegram.sentMessages().map((message) => message.text)).toEqual(["patience"]);
  });

  it("gives up after five 429s in a row, saying what happened", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { sleep: sleeps.sleep });
    telegram.failNext("sendMessage", { error_code: 429, retry_after: 1, times: 6 });
    const sending = adapter.send("1001", "flood").catch((error: unknown) => error);
    for (let i = 1; i <= 5; i++) {
      await sleeps.asked(i);
      sleeps.release();
    }
    expect(await sending).toMatchObject({ code: "ALEPH_E_TELEGRAM_SEND", message: expect.stringContaining("keeps limiting"), fix: expect.stringContaining("send less often") });
    expect(telegram.sentMessages()).toHaveLength(0);
  });

  it("fails a send Telegram refuses with the reason and a fix, never retrying it", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    await expect(adapter.send("4242", "hello?")).rejects.toMatchObject({
      code: "ALEPH_E_TELEGRAM_SEND",
      message: "Telegram refused the message to chat 4242: Telegram answered 400: Bad Request: chat not found",
      fix: expect.stringContaining("people who wrote to it first"),
    });
    telegram.failNext("sendMessage", { error_code: 403 });
    await expect(adapter.send("1001", "hello?")).rejects.toMatchObject({ code: "ALEPH_E_TELEGRAM_SEND", fix: expect.stringContaining("blocked the bot") });
    telegram.failNext("sendMessage", { error_code: 500 });
    await expect(adapter.send("1001", "hello?")).rejects.toMatchObject({ code: "ALEPH_E_TELEGRAM_SEND", fix: expect.stringContaining("not retried") });
    expect(telegram.requests.filter((request) => request.method === "sendMessage")).toHaveLength(3);
    await expect(adapter.send("not a chat", "x")).rejects.toMatchObject({ code: "ALEPH_E_TELEGRAM_SEND", message: '"not a chat" is not a Telegram chat id' });
  });

  it("says which parts went out when a later part fails", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    let calls = 0;
    telegram.handle("sendMessage", () => {
      calls++;
      if (calls === 2) throw { error_code: 403, description: "Forbidden: bot was blocked by the user" };
      return { message_id: calls, chat: { id: 1001, type: "private" }, date: 0, text: "x" };
    });
    const error = await adapter.send("1001", `${"a".repeat(4000)}\n\n${"b".repeat(4000)}`).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: "ALEPH_E_TELEGRAM_SEND", message: expect.stringContaining("after 1 part went out (1001:1)") });
  });

  it("sends nothing for a blank text", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    expect(await adapter.send("1001", " \n ")).toEqual({ messageIds: [] });
    expect(telegram.requests.filter((request) => request.method === "sendMessage")).toHaveLength(0);
  });

  it("shows typing…, and swallows its failures", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    await adapter.typing("1001");
    expect(telegram.chatActions()).toMatchObject([{ chatId: 1001, action: "typing" }]);
    await expect(adapter.typing("4242")).resolves.toBeUndefined();
    await expect(adapter.typing("not a chat")).resolves.toBeUndefined();
  });

  it("sends nothing once stopped, and cancels a 429 wait in progress", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { sleep: sleeps.sleep });
    await startAdapter(adapter, inbox().deliver);
    telegram.failNext("sendMessage", { error_code: 429, retry_after: 30 });
    const sending = adapter.send("1001", "late").catch((error: unknown) => error);
    await sleeps.asked(1);
    await adapter.stop();
    expect(await sending).toMatchObject({ code: "ALEPH_E_CANCELLED" });
    await expect(adapter.send("1001", "after")).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
    expect(telegram.sentMessages()).toHaveLength(0);
  });

  it("lets a message already on its way finish when the channel stops, rather than abandon what Telegram may have delivered", async () => {
    const telegram = await fakeTelegram({ chats: [ada] });
    const adapter = newAdapter(telegram);
    await startAdapter(adapter, inbox().deliver);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    telegram.handle("sendMessage", async () => {
      await slow;
      return { message_id: 77, chat: { id: 1001, type: "private", first_name: "Ada" }, date: 0, text: "in flight" };
    });
    const sending = adapter.send("1001", "in flight");
    await telegram.waitForRequest("sendMessage");
    const stopping = adapter.stop();
    release();
    expect(await sending).toEqual({ messageIds: ["1001:77"] });
    await stopping;
    expect(adapter.status().state).toBe("stopped");
  });

  it("keeps every part of a reply in the forum topic of the message it answers", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram);
    const received = inbox();
    await startAdapter(adapter, received.deliver);
    telegram.sendUserMessage({ text: "@aleph_test_bot long answer please", chat: { id: -100777, type: "supergroup", title: "Forum", is_forum: true }, from: { id: 7, first_name: "Bo" }, messageThreadId: 12 });
    const [question] = await received.received(1);
    await adapter.send("-100777", `${"a ".repeat(1500)}\n\n${"b ".repeat(1500)}`, { replyTo: question!.messageId });
    const sent = telegram.sentMessages(-100777);
    expect(sent).toHaveLength(2);
    expect(sent.map((message) => message.params.message_thread_id)).toEqual([12, 12]);
  });
});
