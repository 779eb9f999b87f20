import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import type { ChannelMessage } from "@aleph/plugin-sdk";
import { dataDir, fakeDiscord, gate, testChannel } from "./support.js";

/*
 * Starting and stopping: stop() leaves nothing running (no socket, no timer, no reconnect to
 * come), a second generation resumes the first one's session and gets what was said in between
 * (and what the first received but had not delivered yet), a fresh channel shares nothing with
 * an earlier one, and the failures that no retry can cure say what to do.
 */

const bob = { id: "1190000000000000300", username: "bob" };

/** The TCP sockets open in this process (both ends: the channel's and the fake's; vitest talks over pipes) and the timers. */
function activeSocketsAndTimers(): { sockets: number; timers: number } {
  const resources = process.getActiveResourcesInfo();
  return { sockets: resources.filter((name) => name === "TCPSocketWrap").length, timers: resources.filter((name) => name === "Timeout").length };
}

/**
 * Waits until no TCP socket is open and no more timers run than `baseline` had, and checks that it
 * stays so for longer than @discordjs/ws's reconnect delay (500 ms): a reconnect loop left behind
 * shows as a socket or its sleep's timer in that window. Within 2 s: the fake's ends close as the
 * FINs arrive, undici's process-wide clock (shared by every undici user) stops a tick after its
 * last timer — but an idle keep-alive connection of a pool nobody closed lingers longer. Polled
 * with a plain sleep, whose timer has fired by the time each check runs.
 */
async function nothingLeftRunning(baseline: { timers: number }): Promise<void> {
  const deadline = Date.now() + 2000;
  let quietSince: number | undefined;
  for (;;) {
    const now = activeSocketsAndTimers();
    const quiet = now.sockets === 0 && now.timers <= baseline.timers;
    if (!quiet) quietSince = undefined;
    else if (quietSince === undefined) quietSince = Date.now();
    else if (Date.now() - quietSince >= 750) return;
    if (quietSince === undefined && Date.now() > deadline) expect(process.getActiveResourcesInfo().filter((name) => name !== "PipeWrap")).toEqual(["TCPServerWrap"]);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the Discord channel's lifecycle", { timeout: 30_000 }, () => {
  it("stop() resolves with nothing left running, twice over; the second start resumes the first's session from the saved file", async () => {
    const discord = await fakeDiscord();
    const dir = dataDir();
    const baseline = activeSocketsAndTimers();
    for (const cycle of [1, 2]) {
      const { channel, start, delivered } = testChannel(discord, { dir });
      await start();
      const message = discord.sendUserMessage({ dm: true, author: bob, content: `cycle ${cycle}` });
      await vi.waitFor(() => expect(delivered.map((m) => m.messageId)).toEqual([message.id]));
      await channel.stop();
      expect(channel.status().state).toBe("stopped");
      // Every gateway connection is closed, by the client, resumably (not 1000, which ends the session).
      expect(discord.gatewayConnections().every((connection) => connection.closed !== undefined)).toBe(true);
      expect(discord.gatewayConnections().at(-1)!.closed).toMatchObject({ code: 4200, by: "client" });
      // The REST pool and the gateway socket are closed, no timer of the channel's runs.
      await nothingLeftRunning(baseline);
    }
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    expect(discord.gatewayConnections().map((connection) => connection.url)).toEqual(["/?v=10&encoding=json", "/resume?v=10&encoding=json"]);
    expect(discord.sessions()).toHaveLength(1);
    // Sending after stop is refused.
    const stopped = testChannel(discord);
    await stopped.channel.stop();
    await expect(stopped.channel.send(discord.guilds[0]!.channels[0]!.id, "late")).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_STOPPED" });
  });

  it("a reload loses nothing: what was said between generations, and what the old one had received but not delivered, go to the new one; what it delivered does not come again", async () => {
    const discord = await fakeDiscord();
    const dir = dataDir();
    const first = testChannel(discord, { dir });
    const slow = gate();
    const firstDelivered: string[] = [];
    await first.start(async (message) => {
      firstDelivered.push(message.text);
      if (message.text === "being answered") await slow.opened;
    });
    discord.sendUserMessage({ dm: true, author: bob, content: "answered" });
    await vi.waitFor(() => expect(firstDelivered).toEqual(["answered"]));
    discord.sendUserMessage({ dm: true, author: bob, content: "being answered" });
    discord.sendUserMessage({ dm: true, author: bob, content: "queued behind it" });
    await vi.waitFor(() => expect(firstDelivered).toEqual(["answered", "being answered"]));
    // The gateway has received all three; stop while the second is being handled and the third waits.
    await discord.waitFor(() => discord.dispatches().filter((event) => event.t === "MESSAGE_CREATE" && event.live).length === 3 || undefined, "three live dispatches");
    const stopping = first.channel.stop();
    slow.open();
    await stopping;
    expect(firstDelivered).toEqual(["answered", "being answered"]);

    discord.sendUserMessage({ dm: true, author: bob, content: "said between generations" });
    const second = testChannel(discord, { dir });
    await second.start();
    await vi.waitFor(() => expect(second.delivered.map((message) => message.text)).toEqual(["queued behind it", "said between generations"]));
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    const saved = JSON.parse(readFileSync(second.sessionFile, "utf8")) as { session: { sessionId: string } };
    expect(saved.session.sessionId).toBe(discord.sessions()[0]!.id);
  });

  it("a start that fails before connecting (Discord's API unreachable) keeps the saved session: the next start still resumes", async () => {
    const discord = await fakeDiscord();
    const dir = dataDir();
    const first = testChannel(discord, { dir });
    await first.start();
    await first.channel.stop();
    const saved = readFileSync(first.sessionFile, "utf8");

    const unreachable = await fakeDiscord();
    const deadBase = unreachable.restBase;
    await unreachable.close();
    const failing = testChannel(discord, { dir, apiBase: deadBase });
    await expect(failing.start()).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_GATEWAY", message: expect.stringMatching(/could not reach Discord's API/) });
    await failing.channel.stop();
    expect(readFileSync(first.sessionFile, "utf8")).toBe(saved);

    const third = testChannel(discord, { dir });
    await third.start();
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    expect(third.log.lines).toContainEqual(expect.objectContaining({ level: "info", msg: "resumed the saved gateway session" }));
  });

  it("a fresh channel shares nothing with an earlier one in the same process: another bot identifies on its own server", async () => {
    const first = await fakeDiscord();
    const a = testChannel(first);
    await a.start();
    await a.channel.stop();
    // Another bot, another server, another data directory: no session to take over, whatever the process remembers.
    const second = await fakeDiscord({ token: "MTE5MDAwMDAwMDAwMDAwMDAwMg.OTHER0.second-fake-bot-token", botUser: { id: "1190000000000000002", username: "second-bot" } });
    const b = testChannel(second);
    await b.start();
    expect([second.identifies(), second.resumes()]).toEqual([1, 0]);
    expect(b.channel.status().botName).toBe("second-bot");
    expect(first.connections()).toBe(1);
    // A session saved for another token is not resumed either.
    const dir = dataDir();
    const c = testChannel(first, { dir });
    await c.start();
    await c.channel.stop();
    expect(existsSync(c.sessionFile)).toBe(true);
    const d = testChannel(second, { dir });
    await d.start();
    expect([second.identifies(), second.resumes()]).toEqual([2, 0]);
  });

  it("a damaged session file is set aside: the channel identifies anew and says so", async () => {
    const discord = await fakeDiscord();
    const dir = dataDir();
    const { start, sessionFile, log } = testChannel(discord, { dir });
    writeFileSync(sessionFile, '{"version":1,"token":"x","session":{"sessionId":');
    await start();
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 0]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: expect.stringMatching(/saved gateway session is damaged/) }));
  });

  it("a token Discord refuses fails the start with ALEPH_E_CONFIG (not retried by the registry) and its fix, and never shows the token", async () => {
    const discord = await fakeDiscord();
    const token = "MTE5MDAwMDAwMDAwMDAwMDAwMQ.WRONG0.not-the-token-of-this-bot";
    const { start, channel, log } = testChannel(discord, { token });
    const failure = await start().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "ALEPH_E_CONFIG", message: expect.stringMatching(/refused the bot token \(HTTP 401/), fix: expect.stringMatching(/aleph keys set discord-token/) });
    expect(channel.status()).toMatchObject({ state: "failed", error: expect.stringMatching(/^ALEPH_E_CONFIG/) });
    expect(discord.connections()).toBe(0);
    expect(JSON.stringify([failure, channel.status(), log.lines])).not.toContain(token);
  });

  it("gateway close 4004 while running: failed, not retried", async () => {
    const discord = await fakeDiscord();
    const { start, channel, log } = testChannel(discord);
    await start();
    await discord.dropConnection({ code: 4004, reason: "Authentication failed." });
    await vi.waitFor(() => expect(channel.status()).toMatchObject({ state: "failed", error: expect.stringMatching(/^ALEPH_E_CONFIG: .*4004/) }));
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "error", fields: expect.objectContaining({ fix: expect.stringMatching(/Reset Token/) }) }));
    // Anything else still works (a message goes out); no new gateway connection was tried.
    await channel.send(discord.guilds[0]!.channels[0]!.id, "still able to post");
    expect(discord.connections()).toBe(1);
  });

  it("an app without the Message Content intent enabled fails the start (close 4014) saying where to enable it", async () => {
    const discord = await fakeDiscord({ privilegedIntents: 0 });
    const { start, channel } = testChannel(discord);
    await expect(start()).rejects.toMatchObject({ code: "ALEPH_E_CONFIG", fix: expect.stringMatching(/Message Content Intent.*Privileged Gateway Intents/) });
    expect(channel.status().state).toBe("failed");
  });

  it("a gateway that never answers fails the start after connect_timeout, and stopping leaves no reconnect behind", async () => {
    const discord = await fakeDiscord();
    // A "gateway" that takes each connection and hangs up at once: @discordjs/ws retries every 500 ms.
    let attempts = 0;
    const hangUp = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => hangUp.listen(0, "127.0.0.1", resolve));
    const baseline = activeSocketsAndTimers();
    const { start, channel } = testChannel(discord, { gatewayUrl: `ws://127.0.0.1:${(hangUp.address() as AddressInfo).port}`, connectTimeoutMs: 1200 });
    await expect(start()).rejects.toMatchObject({ code: "ALEPH_E_DISCORD_GATEWAY", message: expect.stringMatching(/not ready within 1.2 s/) });
    expect(channel.status().state).toBe("failed");
    expect(attempts).toBeGreaterThanOrEqual(2);
    await channel.stop();
    const attemptsAtStop = attempts;
    await nothingLeftRunning(baseline);
    // Over more than one reconnect delay, no further attempt: the reconnect the library had scheduled stopped at its parked session lookup.
    expect(attempts).toBe(attemptsAtStop);
    expect(discord.connections()).toBe(0);
    await new Promise<void>((resolve) => hangUp.close(() => resolve()));
  });

  it("a start aborted by the registry's signal ends with ALEPH_E_CANCELLED and leaves nothing running", async () => {
    const discord = await fakeDiscord();
    const baseline = activeSocketsAndTimers();
    const { channel } = testChannel(discord, { gatewayUrl: "ws://127.0.0.1:9" });
    const controller = new AbortController();
    const starting = channel.start(async (_message: ChannelMessage) => {}, controller.signal);
    controller.abort();
    await expect(starting).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
    await channel.stop();
    await nothingLeftRunning(baseline);
  });
});
