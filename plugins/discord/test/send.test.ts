import { describe, expect, it, vi } from "vitest";
import type { ChannelMessage } from "@aleph/plugin-sdk";
import { fakeDiscord, gate, testChannel } from "./support.js";

/*
 * The channel's sending side against the fake Discord REST API: replies split at 2000 characters
 * with code fences kept whole, the first part answering the message, no mentions ever allowed,
 * 429s waited out, refusals explained; "typing…"; and a message the registry did not take,
 * delivered again.
 */

const bob = { id: "1190000000000000300", username: "bob" };

describe("the Discord channel's sending", { timeout: 20_000 }, () => {
  it("splits a long reply at 2000 characters with balanced ``` fences; the first part replies (fail_if_not_exists false), none may mention anyone", async () => {
    const discord = await fakeDiscord();
    const { channel, start } = testChannel(discord);
    await start();
    const question = discord.sendUserMessage({ author: bob, content: "show me the code", mentionsBot: true });
    const code = Array.from({ length: 120 }, (_, n) => `print("line ${n} of the program")  # @everyone`).join("\n");
    const reply = `Here it is, @everyone:\n\n\`\`\`python\n${code}\n\`\`\`\n\nRun it with python3.`;

    const { messageIds } = await channel.send(question.channel_id, reply, { replyTo: question.id });
    const sent = discord.sentMessages();
    expect(sent.map((message) => message.id)).toEqual(messageIds);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const part of sent) {
      expect([...part.content].length).toBeLessThanOrEqual(2000);
      expect(part.content.split("\n").filter((line) => line.startsWith("```")).length % 2).toBe(0);
      expect(part.allowedMentions).toEqual({ parse: [] });
      expect(part.message.mention_everyone).toBe(true); // the text says @everyone; allowed_mentions keeps it from pinging
    }
    expect(sent[0]!.messageReference).toEqual({ message_id: question.id, fail_if_not_exists: false });
    expect(sent.slice(1).every((part) => part.messageReference === null)).toBe(true);
    expect(sent.slice(1).every((part) => part.content.startsWith("```python\n"))).toBe(true);
    expect(sent.map((part) => part.content).join("\n")).toContain("Run it with python3.");
    expect(channel.status().lastSendAt).toBeGreaterThan(0);
  });

  it("still replies when the message it answers is gone", async () => {
    const discord = await fakeDiscord();
    const { channel, start } = testChannel(discord);
    await start();
    const channelId = discord.guilds[0]!.channels[0]!.id;
    const { messageIds } = await channel.send(channelId, "answer", { replyTo: "1190000000000009999" });
    expect(messageIds).toHaveLength(1);
    expect(discord.sentMessages()[0]!.message.referenced_message).toBeUndefined();
  });

  it("waits out a 429 and sends; explains a refusal; refuses bad ids and empty text before calling Discord", async () => {
    const discord = await fakeDiscord();
    const { channel, start } = testChannel(discord);
    await start();
    const channelId = discord.guilds[0]!.channels[0]!.id;
    discord.failNext("POST /channels/:channelId/messages", { status: 429, retryAfter: 0.2 });
    const { messageIds } = await channel.send(channelId, "after the rate limit");
    expect(discord.requests.filter((request) => request.route === "/channels/:channelId/messages").map((request) => request.status)).toEqual([429, 200]);
    expect(discord.sentMessages().map((message) => message.id)).toEqual(messageIds);

    await expect(channel.send("1190000000000009999", "to nowhere")).rejects.toMatchObject({
      code: "ALEPH_E_DISCORD_SEND",
      message: expect.stringMatching(/^Discord refused a message to channel 1190000000000009999: Unknown Channel/),
      fix: expect.stringMatching(/no longer exists/),
    });
    const requests = discord.requests.length;
    await expect(channel.send("../../users/@me", "hi")).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_SEND", message: expect.stringMatching(/is not a Discord channel id/) });
    await expect(channel.send(channelId, "hi", { replyTo: "abc" })).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_SEND", message: expect.stringMatching(/"abc" is not a Discord message id/) });
    await expect(channel.send(channelId, " \n ")).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_SEND", message: expect.stringMatching(/empty/) });
    expect(discord.requests.length).toBe(requests);
  });

  it("shows typing in a channel; a failure to do so is swallowed", async () => {
    const discord = await fakeDiscord();
    const { channel, start, log } = testChannel(discord);
    await start();
    const channelId = discord.guilds[0]!.channels[0]!.id;
    await channel.typing(channelId);
    expect(discord.requests.filter((request) => request.route === "/channels/:channelId/typing").map((request) => [request.method, request.status])).toEqual([["POST", 204]]);
    await expect(channel.typing("1190000000000009999")).resolves.toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "debug", msg: "could not show typing" }));
  });

  it("delivers again a message the registry did not take (the chat's next message waits), and gives up after five tries", async () => {
    const discord = await fakeDiscord();
    const { start, log } = testChannel(discord, { redeliveryFirstMs: 10 });
    const attempts = new Map<string, number>();
    const taken: string[] = [];
    await start(async (message: ChannelMessage) => {
      const attempt = (attempts.get(message.text) ?? 0) + 1;
      attempts.set(message.text, attempt);
      if (message.text === "flaky" && attempt < 3) throw new Error("the reply could not be sent");
      if (message.text === "hopeless") throw new Error("never taken");
      taken.push(message.text);
    });
    discord.sendUserMessage({ dm: true, author: bob, content: "flaky" });
    discord.sendUserMessage({ dm: true, author: bob, content: "next" });
    await vi.waitFor(() => expect(taken).toEqual(["flaky", "next"]));
    expect(attempts.get("flaky")).toBe(3);
    discord.sendUserMessage({ dm: true, author: bob, content: "hopeless" });
    discord.sendUserMessage({ dm: true, author: bob, content: "after it" });
    await vi.waitFor(() => expect(taken).toEqual(["flaky", "next", "after it"]));
    expect(attempts.get("hopeless")).toBe(5);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "error", msg: "message given up after 5 deliveries" }));
  });

  it("a delivery still running when the channel stops is waited for; one the registry refuses because it stops is not retried", async () => {
    const discord = await fakeDiscord();
    const { start, channel } = testChannel(discord, { redeliveryFirstMs: 10 });
    const inTurn = gate();
    const release = gate();
    let calls = 0;
    await start(async () => {
      calls += 1;
      inTurn.open();
      await release.opened;
      throw new Error("channel stopped before the message was answered");
    });
    discord.sendUserMessage({ dm: true, author: bob, content: "answer me" });
    await inTurn.opened;
    const stopping = channel.stop();
    release.open();
    await stopping;
    expect(calls).toBe(1);
  });
});
