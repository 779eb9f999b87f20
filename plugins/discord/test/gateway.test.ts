import { describe, expect, it, vi } from "vitest";
import type { ChannelMessage } from "@aleph/plugin-sdk";
import { GATEWAY_INTENTS } from "../src/runtime/gateway-connection.js";
import { fakeDiscord, gate, testChannel } from "./support.js";

/*
 * The channel's receiving side against the fake Discord gateway: identify, the message mapping as
 * delivered, its own messages skipped, resuming after a drop with the gap replayed once,
 * re-identifying after an invalid session, and per-chat delivery order.
 */

const bob = { id: "1190000000000000300", username: "bob" };

describe("the Discord channel's gateway", { timeout: 20_000 }, () => {
  it("identifies with Guilds, GuildMessages, DirectMessages and MessageContent, and runs once READY; liveness from dispatches and heartbeat ACKs", async () => {
    const discord = await fakeDiscord({ heartbeatIntervalMs: 200 });
    const { channel, start, statuses } = testChannel(discord);
    expect(channel.status()).toEqual({ state: "stopped" });
    const before = Date.now();
    await start();
    expect(channel.status()).toMatchObject({ state: "running", botName: "aleph-test-bot" });
    expect(channel.status().lastReceiveAt).toBeGreaterThanOrEqual(before);
    expect(statuses.map((status) => status.state)).toEqual(["starting", "running"]);
    expect(discord.sessions()).toMatchObject([{ intents: GATEWAY_INTENTS, shard: [0, 1], connected: true }]);
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 0]);
    // Heartbeats are ACKed: the last receive moves on with no message at all.
    const afterReady = channel.status().lastReceiveAt!;
    await vi.waitFor(() => expect(discord.heartbeats()).toBeGreaterThanOrEqual(2));
    await vi.waitFor(() => expect(channel.status().lastReceiveAt).toBeGreaterThan(afterReady));
  });

  it("delivers a DM as kind dm (peer = author, chatId = the DM channel) and a guild message as kind group with mentionsBot and replyTo set", async () => {
    const discord = await fakeDiscord();
    const { channel, start, delivered } = testChannel(discord);
    await start();
    const guild = discord.guilds[0]!;

    const dm = discord.sendUserMessage({ dm: true, author: bob, content: "hello in private" });
    await vi.waitFor(() => expect(delivered).toHaveLength(1));
    expect(delivered[0]).toEqual({
      channel: "discord",
      chatId: dm.channel_id,
      kind: "dm",
      peer: { id: bob.id, name: "bob", username: "bob" },
      text: "hello in private",
      messageId: dm.id,
      mentionsBot: false,
      sentAt: Date.parse(dm.timestamp),
    });

    const plain = discord.sendUserMessage({ author: bob, content: "talking among ourselves" });
    const mention = discord.sendUserMessage({ author: bob, content: "what is aleph?", mentionsBot: true });
    await vi.waitFor(() => expect(delivered).toHaveLength(3));
    expect(delivered[1]).toMatchObject({ kind: "group", groupId: guild.id, chatId: guild.channels[0]!.id, messageId: plain.id, mentionsBot: false, text: "talking among ourselves" });
    expect(delivered[2]).toMatchObject({ kind: "group", groupId: guild.id, messageId: mention.id, mentionsBot: true, text: "what is aleph?" });
    expect(delivered[2]!.replyTo).toBeUndefined();

    // A reply to the bot's message (the bot posted it through the channel), and a reply to a person's.
    const { messageIds } = await channel.send(guild.channels[0]!.id, "A plugin host.", { replyTo: mention.id });
    const toBot = discord.sendUserMessage({ author: bob, content: "thanks", replyTo: messageIds[0]! });
    const toPerson = discord.sendUserMessage({ author: bob, content: "+1", replyTo: plain.id, replyPing: false });
    await vi.waitFor(() => expect(delivered).toHaveLength(5));
    expect(delivered[3]).toMatchObject({ messageId: toBot.id, replyTo: { messageId: messageIds[0], toBot: true }, mentionsBot: true });
    expect(delivered[4]).toMatchObject({ messageId: toPerson.id, replyTo: { messageId: plain.id, toBot: false }, mentionsBot: false });
  });

  it("never delivers its own messages (Discord sends a bot what it posts)", async () => {
    const discord = await fakeDiscord();
    const { channel, start, delivered } = testChannel(discord);
    await start();
    const channelId = discord.guilds[0]!.channels[0]!.id;
    const { messageIds } = await channel.send(channelId, "the bot speaking");
    // The fake dispatches the bot's message before this one: once this is delivered, the bot's was seen and skipped.
    const after = discord.sendUserMessage({ author: bob, content: "a person speaking" });
    await vi.waitFor(() => expect(delivered.map((message) => message.messageId)).toContain(after.id));
    expect(discord.dispatches().some((event) => event.t === "MESSAGE_CREATE" && (event.d as { id: string }).id === messageIds[0])).toBe(true);
    expect(delivered.map((message) => message.messageId)).toEqual([after.id]);
  });

  it("resumes after a dropped connection: the message sent in the gap is delivered exactly once, nothing is identified again", async () => {
    const discord = await fakeDiscord();
    const { channel, start, delivered, statuses } = testChannel(discord);
    await start();
    const before = discord.sendUserMessage({ dm: true, author: bob, content: "before the drop" });
    await vi.waitFor(() => expect(delivered).toHaveLength(1));

    await discord.dropConnection();
    const inTheGap = discord.sendUserMessage({ dm: true, author: bob, content: "sent while disconnected" });
    expect(discord.dispatches().find((event) => (event.d as { id?: string }).id === inTheGap.id)!.live).toBe(false);
    await vi.waitFor(() => expect(channel.status().state).toBe("reconnecting"));

    await discord.waitForResumed(1);
    await vi.waitFor(() => expect(delivered).toHaveLength(2));
    const after = discord.sendUserMessage({ dm: true, author: bob, content: "after the resume" });
    await vi.waitFor(() => expect(delivered).toHaveLength(3));

    expect(delivered.map((message) => message.messageId)).toEqual([before.id, inTheGap.id, after.id]);
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    expect(channel.status().state).toBe("running");
    expect(statuses.map((status) => status.state)).toEqual(["starting", "running", "reconnecting", "running"]);
  });

  it("treats a connection whose heartbeats go unacknowledged as dead: it reconnects and resumes", async () => {
    const discord = await fakeDiscord({ heartbeatIntervalMs: 100 });
    const { channel, start, delivered } = testChannel(discord);
    await start();
    await vi.waitFor(() => expect(discord.heartbeats()).toBeGreaterThanOrEqual(1));
    discord.setHeartbeatAcks(false);
    await discord.waitFor(() => discord.gatewayConnections()[0]!.closed, "the zombie connection to close");
    discord.setHeartbeatAcks(true);
    expect(discord.gatewayConnections()[0]!.closed).toMatchObject({ code: 4200, by: "client" });
    await discord.waitForResumed(1);
    await vi.waitFor(() => expect(channel.status().state).toBe("running"));
    const message = discord.sendUserMessage({ dm: true, author: bob, content: "still there?" });
    await vi.waitFor(() => expect(delivered.map((m) => m.messageId)).toEqual([message.id]));
    expect(discord.identifies()).toBe(1);
  });

  it("identifies anew after an invalid session (op 9) and delivers what comes on the new session", async () => {
    const discord = await fakeDiscord();
    const { start, delivered, channel } = testChannel(discord);
    await start();
    discord.invalidateSession();
    await discord.waitForReady(2);
    const sessions = discord.sessions();
    expect(sessions.map((session) => session.resumable)).toEqual([false, true]);
    const message = discord.sendUserMessage({ dm: true, author: bob, content: "to the new session" });
    await vi.waitFor(() => expect(delivered.map((m) => m.messageId)).toEqual([message.id]));
    await vi.waitFor(() => expect(channel.status().state).toBe("running"));
    expect(discord.identifies()).toBe(2);
  });

  it("delivers one message at a time per Discord channel, in order, while other channels go on", async () => {
    const discord = await fakeDiscord();
    const { start } = testChannel(discord);
    const slow = gate();
    const order: string[] = [];
    const done: ChannelMessage[] = [];
    await start(async (message) => {
      order.push(`start ${message.text}`);
      if (message.text === "first in A") await slow.opened;
      order.push(`end ${message.text}`);
      done.push(message);
    });
    discord.sendUserMessage({ dm: true, author: bob, content: "first in A" });
    discord.sendUserMessage({ dm: true, author: bob, content: "second in A" });
    discord.sendUserMessage({ author: bob, content: "only in B", mentionsBot: true });
    // B is delivered while A's first message is still being handled; A's second waits for it.
    await vi.waitFor(() => expect(done.map((message) => message.text)).toEqual(["only in B"]));
    expect(order).toEqual(["start first in A", "start only in B", "end only in B"]);
    slow.open();
    await vi.waitFor(() => expect(done).toHaveLength(3));
    expect(order.slice(3)).toEqual(["end first in A", "start second in A", "end second in A"]);
  });
});
