import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, fakeTelegram, inbox, newAdapter, startAdapter, steppedSleep, tempDir } from "./support.js";

/*
 * offset.json: the getUpdates offset and the updates received but not finished (pending until
 * deliver() resolved for them) — persisted, resumed by the next run, so across stops (a kernel
 * restart, a hot reload) nothing is lost and nothing handled twice.
 */

interface Saved {
  bot_id: number;
  offset: number;
  pending: { update_id: number; message?: { text?: string } }[];
}

const savedIn = (dataDir: string): Saved | undefined => {
  try {
    return JSON.parse(readFileSync(join(dataDir, "offset.json"), "utf8")) as Saved;
  } catch {
    return undefined;
  }
};
const pendingTexts = (dataDir: string) => savedIn(dataDir)?.pending.map((update) => update.message?.text);

describe("the telegram adapter's offset.json", () => {
  it("is persisted privately and resumed after a stop: messages sent while stopped arrive once, earlier ones never again", async () => {
    const telegram = await fakeTelegram();
    const dataDir = join(tempDir(), "data", "telegram");
    const first = newAdapter(telegram, { dataDir });
    const before = inbox();
    await startAdapter(first, before.deliver);
    const one = telegram.sendUserMessage({ text: "one" });
    await before.received(1);
    await eventually(() => savedIn(dataDir)?.offset === one.update_id + 1 && savedIn(dataDir)?.pending.length === 0, "the offset after the first message");
    expect(savedIn(dataDir)).toMatchObject({ bot_id: telegram.bot.id, offset: one.update_id + 1, pending: [] });
    expect(statSync(join(dataDir, "offset.json")).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    await first.stop();
    expect(first.status().state).toBe("stopped");

    // While nobody polls, two more messages come.
    telegram.sendUserMessage({ text: "two" });
    const three = telegram.sendUserMessage({ text: "three" });

    const second = newAdapter(telegram, { dataDir });
    const after = inbox();
    await startAdapter(second, after.deliver);
    await after.received(2);
    await eventually(() => savedIn(dataDir)?.offset === three.update_id + 1 && savedIn(dataDir)?.pending.length === 0, "the offset after the third message");
    await telegram.waitForRequest("getUpdates", (request) => Number(request.params.offset) === three.update_id + 1);
    expect(telegram.confirmedOffset()).toBe(three.update_id + 1);
    await second.stop();
    expect(before.messages.map((message) => message.text)).toEqual(["one"]);
    expect(after.messages.map((message) => message.text)).toEqual(["two", "three"]);
  });

  it("does not use another bot's offset", async () => {
    const telegram = await fakeTelegram({ firstUpdateId: 500 });
    const dataDir = join(tempDir(), "data", "telegram");
    mkdirSync(dataDir, { recursive: true });
    // Within reach of this bot's update ids: used, it would confirm (drop) the message below it.
    writeFileSync(join(dataDir, "offset.json"), JSON.stringify({ bot_id: 42, offset: 502, pending: [] }));
    const adapter = newAdapter(telegram, { dataDir });
    const received = inbox();
    telegram.sendUserMessage({ text: "for this bot" });
    await startAdapter(adapter, received.deliver);
    await received.received(1);
    expect(received.messages[0]!.text).toBe("for this bot");
    expect(adapter.logger.lines).toContainEqual(expect.objectContaining({ msg: "the update offset belongs to another bot; polling this one from its oldest update" }));
  });

  it("keeps a message whose deliver() threw pending and delivers it again after a growing backoff, while the others go on", async () => {
    const telegram = await fakeTelegram();
    const dataDir = join(tempDir(), "data", "telegram");
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { dataDir, sleep: sleeps.sleep });
    const received = inbox((message, attempt) => {
      if (message.text === "important" && attempt <= 3) throw new Error("the registry could not record it");
    });
    await startAdapter(adapter, received.deliver);
    const important = telegram.sendUserMessage({ text: "important" });
    const later = telegram.sendUserMessage({ text: "later" });

    await received.received(2);
    await sleeps.asked(1);
    // Telegram may forget both (the offset is past them); the failed one is kept here.
    await eventually(() => savedIn(dataDir)?.offset === later.update_id + 1 && savedIn(dataDir)?.pending.length === 1, "the failed update pending");
    expect(savedIn(dataDir)!.pending.map((update) => update.update_id)).toEqual([important.update_id]);
    expect(adapter.status().state).toBe("running");
    expect(adapter.logger.lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "delivering a Telegram message failed; it will be delivered again", fields: expect.objectContaining({ messageId: `1001:${important.message!.message_id}`, attempt: 1 }) }),
    );
    sleeps.release();
    await received.received(3);
    await sleeps.asked(2);
    sleeps.release();

    const all = await received.received(4);
    expect(all.map((message) => message.text)).toEqual(["important", "later", "important", "important"]);
    expect(new Set([all[0], all[2], all[3]].map((message) => message!.messageId)).size).toBe(1);
    expect(sleeps.delays).toEqual([1000, 2000]);
    await eventually(() => savedIn(dataDir)?.pending.length === 0, "nothing pending after the redelivery");
  });

  it("keeps a message pending when stopped while deliver() runs: stop() waits a moment, not for it, and the next run delivers it again", async () => {
    const telegram = await fakeTelegram();
    const dataDir = join(tempDir(), "data", "telegram");
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const first = newAdapter(telegram, { dataDir, stopGraceMs: 50 });
    const during = inbox(() => held);
    await startAdapter(first, during.deliver);
    const update = telegram.sendUserMessage({ text: "slow one" });
    await during.received(1);

    await first.stop();
    expect(first.status().state).toBe("stopped");
    expect(savedIn(dataDir)).toMatchObject({ offset: update.update_id + 1 });
    expect(pendingTexts(dataDir)).toEqual(["slow one"]);
    const requestsAtStop = telegram.requests.length;
    // The delivery finishing after the stop changes nothing, and the stopped loop polls no more.
    finish();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pendingTexts(dataDir)).toEqual(["slow one"]);
    expect(telegram.requests.length).toBe(requestsAtStop);

    const second = newAdapter(telegram, { dataDir });
    const after = inbox();
    await startAdapter(second, after.deliver);
    const [again] = await after.received(1);
    expect(again).toMatchObject({ text: "slow one", messageId: during.messages[0]!.messageId });
    await eventually(() => pendingTexts(dataDir)?.length === 0, "nothing pending after the redelivery");
    expect(after.messages).toHaveLength(1);
  });

  it("acknowledges a delivery that finishes while the channel stops, so the next run does not deliver it again", async () => {
    const telegram = await fakeTelegram();
    const dataDir = join(tempDir(), "data", "telegram");
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const first = newAdapter(telegram, { dataDir });
    const during = inbox(() => held);
    await startAdapter(first, during.deliver);
    telegram.sendUserMessage({ text: "answered just in time" });
    await during.received(1);
    const stopping = first.stop();
    // The registry's reply went out and it resolves deliver() while the channel stops.
    finish();
    await stopping;
    expect(pendingTexts(dataDir)).toEqual([]);

    const second = newAdapter(telegram, { dataDir });
    const after = inbox();
    await startAdapter(second, after.deliver);
    telegram.sendUserMessage({ text: "next" });
    await after.received(1);
    expect(after.messages.map((message) => message.text)).toEqual(["next"]);
  });

  it("delivers while earlier deliveries run: a long turn holds up no other chat, and /stop reaches the turn it stops", async () => {
    const telegram = await fakeTelegram();
    const dataDir = join(tempDir(), "data", "telegram");
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const adapter = newAdapter(telegram, { dataDir });
    const received = inbox((message) => (message.text === "a long question" ? held : undefined));
    await startAdapter(adapter, received.deliver);

    telegram.sendUserMessage({ text: "a long question" });
    await received.received(1);
    telegram.sendUserMessage({ text: "meanwhile", from: { id: 2002, first_name: "Bo" } });
    telegram.sendUserMessage({ text: "/stop" });
    const all = await received.received(3);
    expect(all.map((message) => [message.chatId, message.text])).toEqual([
      ["1001", "a long question"],
      ["2002", "meanwhile"],
      ["1001", "/stop"],
    ]);
    await eventually(() => JSON.stringify(pendingTexts(dataDir)) === JSON.stringify(["a long question"]), "only the long one pending");
    finish();
    await eventually(() => pendingTexts(dataDir)?.length === 0, "nothing pending once it finished");
  });

  it("stops polling while maxInFlight deliveries run, and goes on when one finishes", async () => {
    const telegram = await fakeTelegram();
    const finishers: (() => void)[] = [];
    const adapter = newAdapter(telegram, { maxInFlight: 2 });
    const received = inbox(() => new Promise<void>((resolve) => finishers.push(resolve)));
    await startAdapter(adapter, received.deliver);
    telegram.sendUserMessage({ text: "a" });
    telegram.sendUserMessage({ text: "b" });
    telegram.sendUserMessage({ text: "c" });
    await received.received(2);
    const poll = await telegram.waitForRequest("getUpdates", (request) => request.status === 200 && request.params.limit === 2);
    expect(poll).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.messages.map((message) => message.text)).toEqual(["a", "b"]);
    expect(telegram.pendingPolls()).toBe(0);
    finishers[0]!();
    await received.received(3);
    expect(received.messages.map((message) => message.text)).toEqual(["a", "b", "c"]);
    for (const finisher of finishers) finisher();
  });
});
