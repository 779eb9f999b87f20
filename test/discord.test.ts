/*
 * The Discord channel end to end: the real CLI (`aleph start`) with the bundled discord, channels
 * and agent plugins, against the test kit's fake Discord (REST + gateway on 127.0.0.1, speaking
 * Discord's protocol to the real @discordjs clients) and a fake OpenAI-compatible model. A DM is
 * answered, and kept in its session and its chat; the gateway connection drops, a message is sent
 * in the gap, the kernel resumes and answers it exactly once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { startFakeDiscordServer, type FakeDiscordServer } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { moduleRecorder } from "./support/module-loads.js";
import { createWorkspace, runCli, runCliJson, startKernel, startReadyKernel, type Workspace } from "./support/aleph.js";

const alice = { id: "1190000000000000200", username: "alice" };

const fakes: FakeDiscordServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fakeDiscord(): Promise<FakeDiscordServer> {
  const fake = await startFakeDiscordServer();
  fakes.push(fake);
  return fake;
}

function discordConfig(discord: FakeDiscordServer): string {
  return [
    "[interfaces.discord]",
    'token = "keys:discord-token"',
    `api_base = "${discord.restBase}"`,
    `gateway_url = "${discord.gatewayUrl}"`,
    `allow_from = ["${alice.id}"]`,
    `guilds = ["${discord.guilds[0]!.id}"]`,
    "",
  ].join("\n");
}

/** The chat source of truth's lines for a conversation (from, content). */
function chatLines(ws: Workspace, chatId: string): { from: string; content: unknown }[] {
  const file = join(ws.root, "chat", "chats", `${chatId}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { from: string; content: unknown });
}

async function storeToken(ws: Workspace, token: string): Promise<void> {
  const set = await runCli(ws, ["keys", "set", "discord-token"], { input: `${token}\n` });
  expect(set.code, set.stderr).toBe(0);
}

describe("Discord through aleph start", () => {
  test("a DM is answered and kept in its session and chat; after a dropped connection the message sent in the gap is answered exactly once", { timeout: 60_000 }, async () => {
    const discord = await fakeDiscord();
    const model = await fakeModel([{ text: "Hello Alice, I am Aleph." }, { text: "I got the message you sent while I was away." }, { text: "And this one too." }]);
    const ws = createWorkspace({ config: discordConfig(discord) });
    writeProviders(ws, openaiProvider("local", model));
    await storeToken(ws, discord.token);

    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("channel.status", (p) => p.name === "discord" && p.state === "running", 20_000);
    expect(discord.identifies()).toBe(1);

    // A DM, answered in the DM.
    const hello = discord.sendUserMessage({ dm: true, author: alice, content: "hello" });
    const [reply] = await discord.waitForSentMessages(1, 20_000);
    expect(reply).toMatchObject({ channelId: hello.channel_id, content: "Hello Alice, I am Aleph.", allowedMentions: { parse: [] } });
    expect(reply!.guildId).toBeUndefined();
    const sessionKey = `agent:main:discord:dm:${alice.id}`;
    await kernel.waitForEvent("message.sent", (p) => p.channel === "discord" && p.sessionKey === sessionKey);
    const received = kernel.seen("message.received", (p) => p.channel === "discord").payload;
    expect(received).toMatchObject({ chatId: hello.channel_id, kind: "dm", peer: { id: alice.id, username: "alice" }, text: "hello", messageId: hello.id, sessionKey, conversation: `discord-dm-${alice.id}` });

    const session = await runCliJson<{ messages: { role: string; content: string }[] }>(ws, ["sessions", "show", sessionKey, "--json"]);
    expect(session.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hello"],
      ["assistant", "Hello Alice, I am Aleph."],
    ]);
    expect(chatLines(ws, `discord-dm-${alice.id}`).map((line) => line.content)).toEqual(["hello", "Hello Alice, I am Aleph."]);
    const interfaces = await runCliJson<{ name: string; plugin: string; state: string; botName?: string; lastReceiveAt?: number; lastSendAt?: number }[]>(ws, ["interfaces", "list", "--json"]);
    expect(interfaces).toEqual([expect.objectContaining({ name: "discord", plugin: "discord", state: "running", botName: "aleph-test-bot", lastReceiveAt: expect.any(Number), lastSendAt: expect.any(Number) })]);

    // The connection drops; a message is sent while the bot is away; the gateway resumes and replays it.
    await discord.dropConnection();
    const inTheGap = discord.sendUserMessage({ dm: true, author: alice, content: "did you get this?" });
    expect(discord.dispatches().find((event) => (event.d as { id?: string }).id === inTheGap.id)!.live).toBe(false);
    await discord.waitForResumed(1, 20_000);
    const afterGap = await discord.waitForSentMessages(2, 20_000);
    expect(afterGap[1]).toMatchObject({ channelId: inTheGap.channel_id, content: "I got the message you sent while I was away." });

    // One more message in the same DM: answered after the gap's (one conversation answers in order),
    // so had the gap's message been answered twice, it would show by now.
    discord.sendUserMessage({ dm: true, author: alice, content: "and this?" });
    const all = await discord.waitForSentMessages(3, 20_000);
    expect(all.map((message) => message.content)).toEqual(["Hello Alice, I am Aleph.", "I got the message you sent while I was away.", "And this one too."]);
    expect(model.requests).toHaveLength(3);
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    expect(kernel.eventsSince(0, "message.received", (p) => p.messageId === inTheGap.id)).toHaveLength(1);
    expect(chatLines(ws, `discord-dm-${alice.id}`).map((line) => line.content)).toEqual([
      "hello",
      "Hello Alice, I am Aleph.",
      "did you get this?",
      "I got the message you sent while I was away.",
      "and this?",
      "And this one too.",
    ]);
    const states = kernel.eventsSince(0, "channel.status", (p) => p.name === "discord").map((event) => event.payload.state);
    expect(states[0]).toBe("starting");
    expect(states.at(-1)).toBe("running");

    // The token never reaches a log.
    const logs = join(ws.root, "logs");
    for (const name of existsSync(logs) ? readdirSync(logs) : []) expect(readFileSync(join(logs, name), "utf8")).not.toContain(discord.token);
    await kernel.stop();
  });

  test("in a guild of `guilds` a mention is answered in the channel as a reply, other talk is not; a config change restarts the channel, which resumes its session and loses nothing", { timeout: 60_000 }, async () => {
    const discord = await fakeDiscord();
    const model = await fakeModel([{ text: "Answering the guild." }, { text: "Still here after the reload." }]);
    const ws = createWorkspace({ config: discordConfig(discord) });
    writeProviders(ws, openaiProvider("local", model));
    await storeToken(ws, discord.token);
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("channel.status", (p) => p.name === "discord" && p.state === "running", 20_000);
    const guild = discord.guilds[0]!;
    const bob = { id: "1190000000000000300", username: "bob" };

    // bob is not in allow_from, but the guild is in guilds: a mention is his way in, plain talk is not for the bot.
    const chatter = discord.sendUserMessage({ author: bob, content: "just chatting among ourselves" });
    const mention = discord.sendUserMessage({ author: bob, content: "what are you?", mentionsBot: true });
    const [reply] = await discord.waitForSentMessages(1, 20_000);
    expect(reply).toMatchObject({ channelId: guild.channels[0]!.id, guildId: guild.id, content: "Answering the guild.", messageReference: { message_id: mention.id, fail_if_not_exists: false } });
    const sessionKey = `agent:main:discord:group:${guild.id}`;
    await kernel.waitForEvent("message.sent", (p) => p.sessionKey === sessionKey);
    expect(kernel.eventsSince(0, "message.received").map((event) => event.payload.messageId)).toEqual([mention.id]);
    expect(kernel.eventsSince(0, "message.received")[0]!.payload).toMatchObject({ kind: "group", text: "what are you?", sessionKey, conversation: `discord-group-${guild.id}` });
    expect(model.requests).toHaveLength(1);
    expect(kernel.eventsSince(0, "message.received", (p) => p.messageId === chatter.id)).toEqual([]);

    // A change to [interfaces.discord] reloads the plugin: the channel stops, resumably, and the next generation resumes.
    const mark = kernel.mark();
    ws.writeConfig(`${discordConfig(discord)}group_trigger = "mention"\n`);
    await kernel.waitForEvent("channel.status", (p) => p.name === "discord" && p.state === "stopped", 20_000, mark);
    const meanwhile = discord.sendUserMessage({ dm: true, author: alice, content: "are you back?" });
    await kernel.waitForEvent("channel.status", (p) => p.name === "discord" && p.state === "running", 20_000, mark);
    const sent = await discord.waitForSentMessages(2, 20_000);
    expect(sent[1]).toMatchObject({ channelId: meanwhile.channel_id, content: "Still here after the reload." });
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 1]);
    expect(kernel.eventsSince(0, "message.received", (p) => p.messageId === meanwhile.id)).toHaveLength(1);
    expect(discord.gatewayConnections()[0]!.closed).toMatchObject({ code: 4200, by: "client" });
    // The session the next generation resumed from: private, like everything under the root.
    const sessionFile = join(ws.root, "data", "discord", "gateway-session.json");
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(sessionFile, "utf8"))).toMatchObject({ session: { sessionId: discord.sessions()[0]!.id } });
    expect(readFileSync(sessionFile, "utf8")).not.toContain(discord.token);
    await kernel.stop();
  });

  test("without a token the plugin does nothing and says so once; @discordjs is never loaded", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: '[interfaces.discord]\nallow_from = ["1190000000000000200"]\n' });
    const recorder = moduleRecorder(ws);
    const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
    await kernel.ready();
    const plugins = await kernel.pluginsList();
    expect(plugins.find((plugin) => plugin.id === "discord")).toMatchObject({ running: true });
    expect(kernel.eventsSince(0, "channel.status", (p) => p.name === "discord")).toEqual([]);
    await kernel.stop();
    const loaded = recorder.loaded();
    expect(loaded.some((url) => url.endsWith("/plugins/discord/dist/index.js")), "the recorder sees the plugin's entry load").toBe(true);
    expect(loaded.filter((url) => url.includes("/@discordjs/") || url.endsWith("/plugins/discord/dist/runtime.js"))).toEqual([]);
    const log = readdirSync(join(ws.root, "logs"))
      .map((name) => readFileSync(join(ws.root, "logs", name), "utf8"))
      .join("\n");
    expect(log.match(/the Discord channel is off: \[interfaces.discord\] has no token/g)).toHaveLength(1);
  });
});
