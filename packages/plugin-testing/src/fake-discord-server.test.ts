import { Client, GatewayDispatchEvents, GatewayIntentBits, Routes, type GatewayMessageCreateDispatchData, type GatewayReadyDispatchData } from "@discordjs/core";
import { DiscordAPIError, REST } from "@discordjs/rest";
import { WebSocketManager, WebSocketShardEvents, type SessionInfo } from "@discordjs/ws";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { startFakeDiscordServer, type FakeDiscordServer, type FakeDiscordServerOptions } from "./fake-discord-server.js";

/*
 * The fake's fidelity, proven with the clients the discord plugin is built on: @discordjs/rest,
 * @discordjs/ws and @discordjs/core, pointed at the fake only through their documented options
 * (REST's `api` base; the gateway URL comes from the fake's GET /gateway/bot). The protocol rules
 * no client breaks on its own (close codes, intents) are checked with a bare WebSocket.
 */

const INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages | GatewayIntentBits.MessageContent;

interface Bot {
  rest: REST;
  gateway: WebSocketManager;
  client: Client;
  /** User and bot messages the client received, in order. */
  messages: GatewayMessageCreateDispatchData[];
  ready: GatewayReadyDispatchData[];
  closes: number[];
  errors: Error[];
  stop(): Promise<void>;
}

const running: { servers: FakeDiscordServer[]; bots: Bot[] } = { servers: [], bots: [] };

afterEach(async () => {
  await Promise.all(running.bots.splice(0).map((bot) => bot.stop()));
  await Promise.all(running.servers.splice(0).map((server) => server.close()));
});

async function fake(options: FakeDiscordServerOptions = {}): Promise<FakeDiscordServer> {
  const server = await startFakeDiscordServer(options);
  running.servers.push(server);
  return server;
}

/** A discord.js bot: REST at the fake's base, the gateway wherever GET /gateway/bot says, its own session store. */
function bot(discord: FakeDiscordServer, options: { token?: string; gatewayToken?: string; intents?: number; session?: SessionInfo } = {}): Bot {
  const rest = new REST({ api: discord.restBase }).setToken(options.token ?? discord.token);
  const store = new Map<number, SessionInfo>(options.session ? [[0, options.session]] : []);
  const gateway = new WebSocketManager({
    token: options.gatewayToken ?? options.token ?? discord.token,
    intents: options.intents ?? INTENTS,
    rest,
    retrieveSessionInfo: (shardId) => store.get(shardId) ?? null,
    updateSessionInfo: (shardId, info) => void (info ? store.set(shardId, info) : store.delete(shardId)),
    // No 5-second identify spacing between the sessions of one test.
    buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }),
  });
  const client = new Client({ rest, gateway });
  const made: Bot = {
    rest,
    gateway,
    client,
    messages: [],
    ready: [],
    closes: [],
    errors: [],
    stop: async () => {
      await gateway.destroy();
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
  client.on(GatewayDispatchEvents.MessageCreate, ({ data }) => void made.messages.push(data));
  client.on(GatewayDispatchEvents.Ready, ({ data }) => void made.ready.push(data));
  gateway.on(WebSocketShardEvents.Closed, (code) => void made.closes.push(code));
  gateway.on(WebSocketShardEvents.Error, (error) => void made.errors.push(error));
  running.bots.push(made);
  return made;
}

const userMessages = (bot: Bot) => bot.messages.filter((message) => !message.author.bot);

describe("startFakeDiscordServer with @discordjs/core, /ws and /rest", { timeout: 20_000 }, () => {
  it("connects through GET /gateway/bot, identifies and gets READY, then GUILD_CREATE for each guild", async () => {
    const discord = await fake();
    const { gateway, client, ready } = bot(discord);
    const guilds: { id: string; name: string; channels: { name?: string }[] }[] = [];
    client.on(GatewayDispatchEvents.GuildCreate, ({ data }) => void guilds.push(data));
    await gateway.connect();

    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ v: 10, user: { id: discord.botUser.id, bot: true }, guilds: [{ id: discord.guilds[0]!.id, unavailable: true }], resume_gateway_url: discord.resumeGatewayUrl, application: { id: discord.applicationId } });
    expect(ready[0]!.session_id).toBe(discord.sessions()[0]!.id);
    await vi.waitFor(() => expect(guilds.map((guild) => [guild.id, guild.name, guild.channels.map((channel) => channel.name)])).toEqual([[discord.guilds[0]!.id, "Aleph Test Guild", ["general"]]]));

    const gatewayBot = discord.requests.find((request) => request.path === "/gateway/bot");
    expect(gatewayBot).toMatchObject({ method: "GET", status: 200, headers: { authorization: `Bot ${discord.token}` } });
    expect(discord.gatewayConnections()[0]!.url).toBe("/?v=10&encoding=json");
    expect(discord.sessions()[0]).toMatchObject({ intents: INTENTS, shard: [0, 1], connected: true, resumable: true, properties: { browser: expect.stringContaining("@discordjs/ws") } });
    expect([discord.connections(), discord.identifies(), discord.resumes()]).toEqual([1, 1, 0]);
    // READY is s 1, GUILD_CREATE s 2.
    expect(discord.dispatches().map((event) => [event.t, event.s])).toEqual([
      ["READY", 1],
      ["GUILD_CREATE", 2],
    ]);
  });

  it("delivers a user's message to MessageCreate, and the reply through client.api shows in sentMessages", async () => {
    const discord = await fake();
    const b = bot(discord);
    await b.gateway.connect();

    const sent = discord.sendUserMessage({ content: "what is aleph?", mentionsBot: true, author: { id: "1190000000000000300", username: "bob" } });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(1));
    const received = userMessages(b)[0]!;
    expect(received).toMatchObject({
      id: sent.id,
      channel_id: discord.guilds[0]!.channels[0]!.id,
      guild_id: discord.guilds[0]!.id,
      author: { id: "1190000000000000300", username: "bob", discriminator: "0", global_name: "bob" },
      content: `<@${discord.botUser.id}> what is aleph?`,
      mentions: [{ id: discord.botUser.id, bot: true }],
      type: 0,
    });
    expect("referenced_message" in received).toBe(false);
    expect(received.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);

    const reply = await b.client.api.channels.createMessage(received.channel_id, { content: "A plugin host.", message_reference: { message_id: received.id } });
    expect(reply).toMatchObject({ channel_id: received.channel_id, content: "A plugin host.", type: 19, author: { id: discord.botUser.id, bot: true }, message_reference: { message_id: received.id }, referenced_message: { id: received.id } });
    expect(discord.sentMessages()).toMatchObject([{ id: reply.id, channelId: received.channel_id, guildId: discord.guilds[0]!.id, content: "A plugin host.", messageReference: { message_id: received.id } }]);
    // As on Discord, the bot's own message comes back over the gateway (a bot must skip its own).
    await vi.waitFor(() => expect(b.messages.map((message) => message.id)).toEqual([sent.id, reply.id]));

    // A reply from the user to the bot's message: type 19, referenced_message, the bot pinged.
    const followUp = discord.sendUserMessage({ content: "thanks", replyTo: reply.id });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(2));
    expect(userMessages(b)[1]).toMatchObject({ id: followUp.id, type: 19, message_reference: { message_id: reply.id }, referenced_message: { id: reply.id, author: { id: discord.botUser.id } }, mentions: [{ id: discord.botUser.id }] });
  });

  it("drops the connection: @discordjs/ws resumes at resume_gateway_url and gets the message sent in the gap once, none lost", async () => {
    const discord = await fake();
    const b = bot(discord);
    const resumed: number[] = [];
    b.gateway.on(WebSocketShardEvents.Resumed, () => void resumed.push(Date.now()));
    await b.gateway.connect();

    const before = discord.sendUserMessage({ content: "before the drop" });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(1));

    await discord.dropConnection();
    const inTheGap = discord.sendUserMessage({ content: "sent while disconnected" });
    const gapDispatch = discord.dispatches().find((event) => (event.d as { id?: string }).id === inTheGap.id)!;
    expect(gapDispatch.live).toBe(false);

    await discord.waitForResumed(1);
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(2));
    const after = discord.sendUserMessage({ content: "after the resume" });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(3));

    expect(userMessages(b).map((message) => message.id)).toEqual([before.id, inTheGap.id, after.id]);
    expect(gapDispatch.replays).toBe(1);
    expect(resumed).toHaveLength(1);
    expect(b.closes).toContain(1006);
    expect([discord.connections(), discord.identifies(), discord.resumes()]).toEqual([2, 1, 1]);
    expect(discord.gatewayConnections()[1]!.url).toBe("/resume?v=10&encoding=json");
    expect(discord.sessions()).toHaveLength(1);
    // The client resumed from the last sequence number it had seen.
    const resume = discord.gatewayFrames().find((frame) => frame.direction === "in" && (frame.payload as { op?: number }).op === 6);
    expect(resume).toMatchObject({ connection: 2, payload: { d: { token: discord.token, session_id: discord.sessions()[0]!.id, seq: 3 } } });
    // The session is still live for what comes next.
    const reply = await b.client.api.channels.createMessage(after.channel_id, { content: "still here" });
    expect(discord.sentMessages().map((message) => message.id)).toEqual([reply.id]);
  });

  it("resumes after a 4000 close and after op 7 Reconnect, identifying once", async () => {
    const discord = await fake();
    const b = bot(discord);
    await b.gateway.connect();

    await discord.dropConnection({ code: 4000 });
    discord.sendUserMessage({ content: "one" });
    await discord.waitForResumed(1);
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(1));

    discord.reconnect();
    discord.sendUserMessage({ content: "two" });
    await discord.waitForResumed(2);
    await vi.waitFor(() => expect(userMessages(b).map((message) => message.content)).toEqual(["one", "two"]));
    expect(b.closes).toEqual(expect.arrayContaining([4000, 4200]));
    expect([discord.identifies(), discord.resumes()]).toEqual([1, 2]);
  });

  it("answers a RESUME of an unknown session with op 9, after which the client identifies anew", async () => {
    const discord = await fake();
    const b = bot(discord, { session: { sessionId: "no-such-session", sequence: 5, shardId: 0, shardCount: 1, resumeURL: discord.resumeGatewayUrl } });
    await b.gateway.connect();
    expect([discord.resumes(), discord.identifies()]).toEqual([1, 1]);
    expect(discord.gatewayFrames()).toContainEqual({ connection: 1, direction: "out", payload: { op: 9, d: false, s: null, t: null } });
    expect(b.ready).toHaveLength(1);

    // op 9 d:false on a live session ends it too: the client identifies a new one.
    discord.invalidateSession();
    await discord.waitForReady(2);
    const [first, second] = discord.sessions();
    expect([first!.resumable, second!.resumable]).toEqual([false, true]);
    discord.sendUserMessage({ content: "to the new session" });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(1));
  });

  it("ACKs heartbeats; a client that gets no ACK drops the zombie connection and resumes", async () => {
    const discord = await fake({ heartbeatIntervalMs: 100 });
    const b = bot(discord);
    const acks: number[] = [];
    b.gateway.on(WebSocketShardEvents.HeartbeatComplete, ({ latency }) => void acks.push(latency));
    await b.gateway.connect();
    await vi.waitFor(() => expect(acks.length).toBeGreaterThanOrEqual(2));
    expect(discord.gatewayFrames()).toContainEqual({ connection: 1, direction: "out", payload: { op: 11, d: null, s: null, t: null } });

    discord.setHeartbeatAcks(false);
    await discord.waitFor(() => discord.gatewayConnections()[0]!.closed, "the zombie connection to close");
    discord.setHeartbeatAcks(true);
    expect(discord.gatewayConnections()[0]!.closed).toMatchObject({ code: 4200, by: "client" });
    await discord.waitForResumed(1);
    expect(discord.identifies()).toBe(1);
  });

  it("refuses content over 2000 characters with DiscordAPIError 50035, and an empty message with 50006", async () => {
    const discord = await fake();
    const { client } = bot(discord);
    const channelId = discord.guilds[0]!.channels[0]!.id;

    const tooLong = await client.api.channels.createMessage(channelId, { content: "x".repeat(2001) }).catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(DiscordAPIError);
    expect(tooLong).toMatchObject({ status: 400, code: 50035, rawError: { message: "Invalid Form Body", errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } } } });
    expect((tooLong as Error).message).toBe("Invalid Form Body\ncontent[BASE_TYPE_MAX_LENGTH]: Must be 2000 or fewer in length.");

    await expect(client.api.channels.createMessage(channelId, { content: "" })).rejects.toMatchObject({ status: 400, code: 50006 });
    await expect(client.api.channels.createMessage("1190000000000009999", { content: "hi" })).rejects.toMatchObject({ status: 404, code: 10003 });
    await expect(client.api.channels.createMessage(channelId, { content: "hi", message_reference: { message_id: "1190000000000009999" } })).rejects.toMatchObject({ status: 400, code: 50035 });
    const exactly = await client.api.channels.createMessage(channelId, { content: "x".repeat(2000) });
    expect(discord.sentMessages().map((message) => message.id)).toEqual([exactly.id]);
  });

  it("reports a bad token: 401 from REST, close 4004 from the gateway", async () => {
    const discord = await fake();
    const wrong = bot(discord, { token: "not-the-token" });
    await expect(wrong.rest.get(Routes.user("@me"))).rejects.toMatchObject({ status: 401, code: 0, message: "401: Unauthorized" });
    // A 401 makes @discordjs/rest drop its token; a fresh client meets the 401 at GET /gateway/bot.
    await expect(bot(discord, { token: "not-the-token" }).gateway.connect()).rejects.toBeInstanceOf(DiscordAPIError);
    expect(discord.requests.map((request) => [request.path, request.status])).toEqual([
      ["/users/@me", 401],
      ["/gateway/bot", 401],
    ]);

    const badGateway = bot(discord, { gatewayToken: "not-the-token" });
    await expect(badGateway.gateway.connect()).rejects.toThrow("Authentication failed");
    expect(badGateway.closes).toContain(4004);
    expect(await discord.waitFor(() => discord.gatewayConnections()[0]!.closed, "the connection to close")).toEqual({ code: 4004, reason: "Authentication failed.", by: "server" });
    expect(discord.sessions()).toEqual([]);
  });

  it("failNext 429: @discordjs/rest waits the Retry-After and sends the request again", async () => {
    const discord = await fake();
    const { client } = bot(discord);
    const channelId = discord.guilds[0]!.channels[0]!.id;
    discord.failNext("POST /channels/:channelId/messages", { status: 429, retryAfter: 0.25 });

    const started = Date.now();
    const message = await client.api.channels.createMessage(channelId, { content: "after the limit" });
    expect((await discord.waitForRequest((request) => request.status === 429)).headers.authorization).toBe(`Bot ${discord.token}`);
    const posts = discord.requests.filter((request) => request.route === "/channels/:channelId/messages");
    expect(posts.map((request) => request.status)).toEqual([429, 200]);
    // @discordjs/rest waits out the bucket (X-RateLimit-Reset-After 0.25; Retry-After is whole seconds, 1).
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(posts[0]).toMatchObject({ status: 429 });
    expect(discord.sentMessages().map((sent) => sent.id)).toEqual([message.id]);

    discord.failNext("POST /channels/*/messages", { status: 500 });
    await client.api.channels.createMessage(channelId, { content: "after a 500" });
    expect(discord.requests.filter((request) => request.route === "/channels/:channelId/messages").map((request) => request.status)).toEqual([429, 200, 500, 200]);
  });

  it("sends X-RateLimit headers that @discordjs/rest follows without a 429, and answers 429 to a client that does not", async () => {
    const discord = await fake({ rateLimit: { limit: 2, windowMs: 400 } });
    const { client } = bot(discord);
    const channelId = discord.guilds[0]!.channels[0]!.id;
    await Promise.all([1, 2, 3].map((n) => client.api.channels.createMessage(channelId, { content: `burst ${n}` })));
    const posts = discord.requests.filter((request) => request.route === "/channels/:channelId/messages");
    expect(posts.map((request) => request.status)).toEqual([200, 200, 200]);
    expect(discord.sentMessages()).toHaveLength(3);

    const post = () => fetch(`${discord.restBase}/v10/channels/${channelId}/messages`, { method: "POST", headers: { authorization: `Bot ${discord.token}`, "content-type": "application/json" }, body: JSON.stringify({ content: "raw" }) });
    const [first, second, third] = [await post(), await post(), await post()];
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect([first.status, second.status, third.status]).toContain(429);
    const limited = [first, second, third].find((response) => response.status === 429)!;
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(await limited.json()).toMatchObject({ message: "You are being rate limited.", global: false, retry_after: expect.any(Number) });
  });

  it("opens DM channels, takes DMs, uploads files, and hosts users' attachments", async () => {
    const discord = await fake();
    const b = bot(discord);
    await b.gateway.connect();
    const carol = { id: "1190000000000000400", username: "carol" };

    const dm = discord.sendUserMessage({ dm: true, author: carol, content: "a private question", attachments: [{ filename: "notes.txt", data: "remember this", contentType: "text/plain" }] });
    await vi.waitFor(() => expect(userMessages(b)).toHaveLength(1));
    const received = userMessages(b)[0]!;
    expect(received).toMatchObject({ id: dm.id, content: "a private question", author: { id: carol.id }, mentions: [] });
    expect(received.guild_id).toBeUndefined();
    expect(await (await fetch(received.attachments[0]!.url)).text()).toBe("remember this");

    const channel = await b.client.api.users.createDM(carol.id);
    expect(channel).toMatchObject({ id: dm.channel_id, type: 1, recipients: [{ id: carol.id, username: "carol" }] });
    const answer = await b.client.api.channels.createMessage(channel.id, { content: "here is a file", files: [{ name: "answer.txt", data: Buffer.from("42"), contentType: "text/plain" }] });
    expect(answer.attachments).toMatchObject([{ filename: "answer.txt", size: 2 }]);
    expect(discord.sentMessages()).toMatchObject([{ channelId: channel.id, content: "here is a file", files: [{ filename: "answer.txt", size: 2 }] }]);
    expect(discord.sentMessages()[0]!.guildId).toBeUndefined();

    expect(await b.client.api.users.getCurrent()).toMatchObject({ id: discord.botUser.id, username: "aleph-test-bot", bot: true });
  });

  it("edits, deletes, reacts and types through REST; an unknown route is a 404", async () => {
    const discord = await fake();
    const { client } = bot(discord);
    const channelId = discord.guilds[0]!.channels[0]!.id;
    const user = discord.sendUserMessage({ content: "hello" });
    const message = await client.api.channels.createMessage(channelId, { content: "thinking…" });
    const edited = await client.api.channels.editMessage(channelId, message.id, { content: "done" });
    expect(edited).toMatchObject({ content: "done", edited_timestamp: expect.any(String) });
    await expect(client.api.channels.editMessage(channelId, user.id, { content: "not mine" })).rejects.toMatchObject({ status: 403, code: 50005 });
    await client.api.channels.addMessageReaction(channelId, user.id, "👀");
    await client.api.channels.showTyping(channelId);
    await client.api.channels.deleteMessage(channelId, message.id);
    expect(discord.sentMessages()).toMatchObject([{ content: "thinking…", edits: ["done"], deleted: true, message: { content: "done" } }]);
    expect(discord.reactions()).toEqual([{ channelId, messageId: user.id, emoji: "👀", removed: false }]);
    await expect(client.rest.get("/no/such/route" as `/${string}`)).rejects.toMatchObject({ status: 404, message: "404: Not Found" });
  });
});

/** A bare gateway client: every payload it gets, and how the connection closed. */
async function raw(discord: FakeDiscordServer, query = "?v=10&encoding=json") {
  const socket = new WebSocket(`${discord.gatewayUrl}${query}`);
  const received: { op: number; d: unknown; s: number | null; t: string | null }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on("message", (data) => void received.push(JSON.parse(data.toString()) as (typeof received)[number]));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return {
    received,
    closed,
    send: (payload: unknown) => socket.send(JSON.stringify(payload)),
    sendText: (text: string) => socket.send(text),
    next: (op: number, t?: string) => vi.waitFor(() => received.find((payload) => payload.op === op && (t === undefined || payload.t === t)) ?? expect.unreachable(`op ${op} ${t ?? ""}`)),
    close: () => socket.close(),
  };
}

const identify = (discord: FakeDiscordServer, d: Record<string, unknown> = {}) => ({ op: 2, d: { token: discord.token, intents: INTENTS, properties: { os: "linux", browser: "raw", device: "raw" }, ...d } });

describe("startFakeDiscordServer's gateway rules, with a bare WebSocket", { timeout: 10_000 }, () => {
  it("says HELLO with the configured interval and ACKs a heartbeat", async () => {
    const discord = await fake({ heartbeatIntervalMs: 1234 });
    const client = await raw(discord);
    expect(await client.next(10)).toEqual({ op: 10, d: { heartbeat_interval: 1234, _trace: expect.any(Array) }, s: null, t: null });
    client.send({ op: 1, d: null });
    expect(await client.next(11)).toEqual({ op: 11, d: null, s: null, t: null });
    expect(discord.heartbeats()).toBe(1);
    client.close();
  });

  it("closes with Discord's codes: 4001 unknown opcode, 4003 before identifying, 4005 identifying twice, 4002 not JSON", async () => {
    const discord = await fake();
    const cases: [string, number][] = [
      [JSON.stringify({ op: 99, d: null }), 4001],
      [JSON.stringify({ op: 3, d: { status: "online", since: null, activities: [], afk: false } }), 4003],
      ["{not json", 4002],
    ];
    for (const [text, code] of cases) {
      const client = await raw(discord);
      client.sendText(text);
      expect((await client.closed).code).toBe(code);
    }
    const twice = await raw(discord);
    twice.send(identify(discord));
    await twice.next(0, "READY");
    twice.send(identify(discord));
    expect(await twice.closed).toEqual({ code: 4005, reason: "Already authenticated." });

    // 120 payloads a minute (heartbeats aside): the 121st closes with 4008.
    const chatty = await raw(discord);
    chatty.send(identify(discord));
    await chatty.next(0, "READY");
    for (let n = 0; n < 130; n++) chatty.send({ op: 3, d: { status: "online", since: null, activities: [], afk: false } });
    expect((await chatty.closed).code).toBe(4008);
  });

  it("refuses what it does not speak: encoding=etf, transport compression, another API version", async () => {
    const discord = await fake();
    const etf = await raw(discord, "?v=10&encoding=etf");
    expect(await etf.closed).toMatchObject({ code: 1003, reason: expect.stringContaining("encoding=etf is not supported") });
    const zlib = await raw(discord, "?v=10&encoding=json&compress=zlib-stream");
    expect(await zlib.closed).toMatchObject({ code: 1003, reason: expect.stringContaining("compress=zlib-stream is not supported") });
    const v9 = await raw(discord, "?v=9&encoding=json");
    expect((await v9.closed).code).toBe(4012);
    expect(discord.gatewayConnections().map((connection) => connection.refused !== undefined)).toEqual([true, true, false]);
    await expect(discord.waitForIdentifies(1, 50)).rejects.toThrow(/refused a connection: compress=zlib-stream is not supported/);
  });

  it("checks intents: 4013 for unknown bits, 4014 for a privileged intent the app lacks", async () => {
    const discord = await fake({ privilegedIntents: 0 });
    const invalid = await raw(discord);
    invalid.send(identify(discord, { intents: 1 << 30 }));
    expect((await invalid.closed).code).toBe(4013);
    const disallowed = await raw(discord);
    disallowed.send(identify(discord));
    expect(await disallowed.closed).toEqual({ code: 4014, reason: "Disallowed intent(s)." });
  });

  it("routes messages by intent: no MESSAGE_CONTENT empties guild content unless the bot is mentioned; DMs keep theirs", async () => {
    const discord = await fake();
    const client = await raw(discord);
    client.send(identify(discord, { intents: GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages }));
    await client.next(0, "READY");
    expect(client.received.some((payload) => payload.t === "GUILD_CREATE")).toBe(false);
    discord.sendUserMessage({ content: "plain" });
    discord.sendUserMessage({ content: "hey", mentionsBot: true });
    discord.sendUserMessage({ content: "in private", dm: true });
    discord.dispatch("TYPING_START", { channel_id: discord.guilds[0]!.channels[0]!.id, user_id: "1", timestamp: 0 }, { guildId: discord.guilds[0]!.id, intent: GatewayIntentBits.GuildMessageTyping });
    discord.dispatch("INTERACTION_CREATE", { id: "1190000000000000500", type: 2 });
    await vi.waitFor(() => expect(client.received.filter((payload) => payload.t === "MESSAGE_CREATE")).toHaveLength(3));
    await client.next(0, "INTERACTION_CREATE");
    expect(client.received.some((payload) => payload.t === "TYPING_START")).toBe(false);
    const contents = client.received.filter((payload) => payload.t === "MESSAGE_CREATE").map((payload) => (payload.d as { content: string }).content);
    expect(contents).toEqual(["", `<@${discord.botUser.id}> hey`, "in private"]);

    const dmOnly = await raw(discord);
    dmOnly.send(identify(discord, { intents: GatewayIntentBits.DirectMessages }));
    await dmOnly.next(0, "READY");
    discord.sendUserMessage({ content: "guild only" });
    discord.sendUserMessage({ content: "dm", dm: true });
    await vi.waitFor(() => expect(dmOnly.received.filter((payload) => payload.t === "MESSAGE_CREATE").map((payload) => (payload.d as { content: string }).content)).toEqual(["dm"]));
  });

  it("closes a resume from the future with 4007 and a silent client with 4009, keeping that session resumable", async () => {
    const discord = await fake({ heartbeatTimeoutMs: 150 });
    const client = await raw(discord);
    client.send(identify(discord));
    const ready = await client.next(0, "READY");
    const sessionId = (ready.d as { session_id: string }).session_id;
    expect(await client.closed).toEqual({ code: 4009, reason: "Session timed out." });
    expect(discord.sessions()[0]).toMatchObject({ id: sessionId, connected: false, resumable: true });

    const resumer = await raw(discord);
    resumer.send({ op: 6, d: { token: discord.token, session_id: sessionId, seq: 1 } });
    const resumed = await resumer.next(0, "RESUMED");
    // GUILD_CREATE (s 2) was missed after seq 1: replayed, then RESUMED.
    expect(resumer.received.filter((payload) => payload.op === 0).map((payload) => [payload.t, payload.s])).toEqual([
      ["GUILD_CREATE", 2],
      ["RESUMED", 3],
    ]);
    expect(resumed.s).toBe(3);
    resumer.close();
    await resumer.closed;

    const future = await raw(discord);
    future.send({ op: 6, d: { token: discord.token, session_id: sessionId, seq: 99 } });
    expect((await future.closed).code).toBe(4007);
    expect(discord.sessions()[0]!.resumable).toBe(false);
  });
});
