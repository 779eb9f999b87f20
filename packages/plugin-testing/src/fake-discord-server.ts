import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  FakeDiscordGateway,
  type FakeDiscordConnection,
  type FakeDiscordDispatch,
  type FakeDiscordGatewayFrame,
  type FakeDiscordSession,
} from "./fake-discord-gateway.js";
import {
  FakeDiscordRest,
  type FakeDiscordFailure,
  type FakeDiscordReaction,
  type FakeDiscordRequest,
  type FakeDiscordRouteMatcher,
  type FakeDiscordSentMessage,
} from "./fake-discord-rest.js";
import { ChannelType, PRIVILEGED_INTENTS, type FakeDiscordGuild, type FakeDiscordGuildInput, type FakeDiscordMessage, type FakeDiscordUser, type FakeDiscordUserInput } from "./fake-discord-wire.js";
import { DEFAULT_USER, DiscordWorld } from "./fake-discord-world.js";

export type { FakeDiscordConnection, FakeDiscordDispatch, FakeDiscordGatewayFrame, FakeDiscordSession } from "./fake-discord-gateway.js";
export type { FakeDiscordFailure, FakeDiscordReaction, FakeDiscordRequest, FakeDiscordRouteMatcher, FakeDiscordSentMessage } from "./fake-discord-rest.js";
export type {
  FakeDiscordAttachment,
  FakeDiscordChannel,
  FakeDiscordGuild,
  FakeDiscordGuildInput,
  FakeDiscordMessage,
  FakeDiscordMessageReference,
  FakeDiscordUser,
  FakeDiscordUserInput,
} from "./fake-discord-wire.js";

export interface FakeDiscordServerOptions {
  /** The bot token REST (`Authorization: Bot <token>`) and IDENTIFY/RESUME must carry. Default: a fixed token-shaped string. */
  token?: string;
  /** The bot's user (default id `1190000000000000001`, username `aleph-test-bot`). */
  botUser?: { id?: string; username?: string; globalName?: string | null };
  /** Default: the bot's id, as for apps made since 2020. */
  applicationId?: string;
  /** The guilds the bot is in (READY lists them; GUILD_CREATE follows). Default: `Aleph Test Guild` (id `1190000000000000100`) with `#general` (id `1190000000000000101`). */
  guilds?: FakeDiscordGuildInput[];
  /** HELLO's `heartbeat_interval` (default 41250, Discord's). Tests of heartbeats set it short. */
  heartbeatIntervalMs?: number;
  /** Close a connection with 4009 when no heartbeat came this long after HELLO or the last one (default interval × 1.5 + 5 s; 0: never). */
  heartbeatTimeoutMs?: number;
  /** How long a disconnected session stays resumable (default 3 minutes). */
  sessionTimeoutMs?: number;
  /** The privileged intents the app has enabled in the Developer Portal; IDENTIFY asking others is closed with 4014. Default: all three (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT). */
  privilegedIntents?: number;
  /** Per-route REST buckets (per channel/guild), sent as X-RateLimit-* headers and enforced with 429. Default 50 per second. */
  rateLimit?: { limit: number; windowMs: number };
}

/** A message a user sends, as a test writes it. */
export interface FakeDiscordUserMessage {
  content: string;
  /** Default: the author's DM channel with `dm: true`, else the first channel of `guildId`'s guild, else of the first guild. */
  channelId?: string;
  /** The channel's guild; with a channel the fake does not know, adds it to this guild. */
  guildId?: string;
  /** A DM to the bot: the author's one DM channel (opened on first use; `channelId` names its id). */
  dm?: boolean;
  /** Default `{ id: "1190000000000000200", username: "alice" }`. */
  author?: FakeDiscordUserInput;
  /** Puts `<@botId> ` in front of the content (unless it mentions the bot already), which lists the bot in `mentions`. */
  mentionsBot?: boolean;
  /** A message of the same channel (id or object) this one replies to: type 19, `message_reference`, `referenced_message`. */
  replyTo?: string | FakeDiscordMessage;
  /** Whether the reply pings the replied-to author (lists them in `mentions`); default true, as Discord's clients do. */
  replyPing?: boolean;
  /** Files, hosted by the fake at the attachments' `url`. */
  attachments?: { filename: string; data: string | Uint8Array; contentType?: string }[];
  embeds?: Record<string, unknown>[];
}

export interface FakeDiscordServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api`: @discordjs/rest's `api` option (it adds `/v10`). */
  readonly restBase: string;
  /** `ws://127.0.0.1:<port>`: what `GET /gateway/bot` answers, where clients connect. */
  readonly gatewayUrl: string;
  /** `ws://127.0.0.1:<port>/resume`: READY's `resume_gateway_url`, where clients resume. */
  readonly resumeGatewayUrl: string;
  readonly token: string;
  readonly botUser: FakeDiscordUser;
  readonly applicationId: string;
  readonly guilds: readonly FakeDiscordGuild[];
  /** Every REST request, in order (including refused and scripted-to-fail ones). */
  readonly requests: readonly FakeDiscordRequest[];

  /**
   * A user sends a message: MESSAGE_CREATE goes to every session it is for (by intents; without
   * MESSAGE_CONTENT a guild message not mentioning the bot arrives with empty content). A session
   * whose client is disconnected keeps it for its RESUME. Returns the message (gateway form).
   */
  sendUserMessage(message: FakeDiscordUserMessage): FakeDiscordMessage;
  /** Dispatches any event (e.g. INTERACTION_CREATE) to the sessions it is for; `intent` gates it. */
  dispatch(t: string, d: unknown, route?: { guildId?: string; intent?: number }): FakeDiscordDispatch[];
  /** The messages the bot created through REST, in order. */
  sentMessages(): FakeDiscordSentMessage[];
  /** The reactions the bot added (and removed) through REST. */
  reactions(): FakeDiscordReaction[];
  /** The next request(s) matching `route` get this failure instead of an answer (e.g. 429 with `retryAfter`, 500). */
  failNext(route: FakeDiscordRouteMatcher, failure: FakeDiscordFailure): void;

  /**
   * Drops every open gateway connection: no code cuts the TCP connection (the client sees 1006);
   * a code closes with it (e.g. 4000). Sessions stay resumable; what is dispatched until the client
   * resumes is kept and replayed. Resolves once the connections are closed; throws when none is open.
   */
  dropConnection(options?: { code?: number; reason?: string }): Promise<void>;
  /** Sends op 7 Reconnect on every authenticated connection (the client should resume). */
  reconnect(): void;
  /** Sends op 9 Invalid Session; `resumable: false` (the default) ends the sessions, so the client identifies anew. */
  invalidateSession(options?: { resumable?: boolean }): void;
  /** Sends op 1 (a heartbeat request) on every open connection. */
  requestHeartbeat(): void;
  /** Stop (false) or resume (true) ACKing heartbeats: a client that sees no ACK should treat the connection as a zombie. */
  setHeartbeatAcks(on: boolean): void;

  /** WebSocket connections opened to the gateway. */
  connections(): number;
  /** IDENTIFY payloads received (accepted or not). */
  identifies(): number;
  /** RESUME payloads received (accepted or not). */
  resumes(): number;
  heartbeats(): number;
  sessions(): FakeDiscordSession[];
  /** Every dispatch made, per session, in order. */
  dispatches(): readonly FakeDiscordDispatch[];
  gatewayConnections(): readonly FakeDiscordConnection[];
  /** Every payload in and out and every close, in order. */
  gatewayFrames(): readonly FakeDiscordGatewayFrame[];

  waitForConnections(count?: number, timeoutMs?: number): Promise<void>;
  waitForIdentifies(count?: number, timeoutMs?: number): Promise<void>;
  /** Waits until `count` READYs were sent; resolves with the latest session. */
  waitForReady(count?: number, timeoutMs?: number): Promise<FakeDiscordSession>;
  /** Waits until `count` RESUMEDs were sent. */
  waitForResumed(count?: number, timeoutMs?: number): Promise<void>;
  waitForSentMessages(count?: number, timeoutMs?: number): Promise<FakeDiscordSentMessage[]>;
  waitForRequest(predicate: (request: FakeDiscordRequest) => boolean, timeoutMs?: number): Promise<FakeDiscordRequest>;
  /** Waits until `check` returns something other than undefined/false, re-checking whenever the fake's state changes. */
  waitFor<T>(check: () => T | undefined | false, description: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

/**
 * Starts a fake Discord on 127.0.0.1 (a free port): the REST API at `/api/v10/…` and the gateway
 * WebSocket on the same port, both as Discord documents them, so a bot built on discord.js's
 * packages (or any client given the REST base and gateway URL) runs against it end to end. Tests
 * drive it: a user sends a message (`sendUserMessage`), the connection drops (`dropConnection`),
 * REST fails (`failNext`); and read what the bot did (`sentMessages`, `requests`, the counters).
 * Close it in `afterEach`/`finally`.
 *
 * ```ts
 * const discord = await startFakeDiscordServer();
 * const rest = new REST({ api: discord.restBase }).setToken(discord.token);
 * const gateway = new WebSocketManager({ token: discord.token, intents, rest }); // GET /gateway/bot points it at the fake
 * // … start the bot, then:
 * discord.sendUserMessage({ content: "hi", mentionsBot: true });
 * const [reply] = await discord.waitForSentMessages(1);
 * ```
 */
export async function startFakeDiscordServer(options: FakeDiscordServerOptions = {}): Promise<FakeDiscordServer> {
  const world = new DiscordWorld(options.botUser, options.applicationId, options.guilds);
  const token = options.token ?? `${Buffer.from(world.bot.id).toString("base64url")}.FAKE00.aleph-fake-discord-server-token`;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const sockets = new Set<Socket>();
  /** Pending waits: each re-checks on every change; the value ends it early (the server closed). */
  const waiters = new Map<() => void, (error: Error) => void>();
  const changed = (): void => {
    for (const waiter of [...waiters.keys()]) waiter();
  };

  const server = createServer();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;
  const resumeGatewayUrl = `${gatewayUrl}/resume`;

  const gateway = new FakeDiscordGateway(
    world,
    {
      token,
      resumeGatewayUrl,
      heartbeatIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 1.5 + 5000,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 180_000,
      privilegedIntents: options.privilegedIntents ?? PRIVILEGED_INTENTS,
    },
    changed,
  );
  const rest = new FakeDiscordRest(world, gateway, { token, url, gatewayUrl, rateLimit: options.rateLimit ?? { limit: 50, windowMs: 1000 } }, changed);
  server.on("request", (req, res) => {
    rest.handle(req, res).catch((error: unknown) => {
      // A handler bug must show in the test, not hang it.
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: `fake Discord server failed: ${String(error)}`, code: 0 }));
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  function summary(): string {
    const refused = gateway.connectionLog.filter((connection) => connection.refused).at(-1)?.refused;
    const lastClose = gateway.connectionLog.filter((connection) => connection.closed).at(-1)?.closed;
    return [
      `connections ${gateway.connectionLog.length}`,
      `identifies ${gateway.identifies}`,
      `resumes ${gateway.resumes}`,
      `sent messages ${rest.sentMessages().length}`,
      `requests ${rest.requests.length}`,
      ...(lastClose ? [`last close ${lastClose.code} by the ${lastClose.by}${lastClose.reason ? ` (${lastClose.reason})` : ""}`] : []),
      ...(refused ? [`refused a connection: ${refused}`] : []),
    ].join(", ");
  }

  function waitFor<T>(check: () => T | undefined | false, description: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(attempt);
      };
      const abort = (error: Error): void => {
        finish();
        reject(error);
      };
      const attempt = (): void => {
        let value: T | undefined | false;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined && value !== false) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`fake Discord server: timed out after ${timeoutMs} ms waiting for ${description} (${summary()})`));
      }, timeoutMs);
      waiters.set(attempt, abort);
      attempt();
    });
  }

  function sendUserMessage(input: FakeDiscordUserMessage): FakeDiscordMessage {
    const author = world.rememberUser(input.author ?? DEFAULT_USER);
    if (author.id === world.bot.id) throw new Error("fake Discord server: sendUserMessage() sends as a user; the bot's own messages go through REST");
    let channel;
    if (input.dm) {
      if (input.guildId !== undefined) throw new Error("fake Discord server: a DM has no guildId");
      channel = world.dmChannelFor(author, input.channelId);
    } else if (input.channelId !== undefined) {
      channel = world.channels.get(input.channelId);
      if (!channel) {
        if (input.guildId === undefined) throw new Error(`fake Discord server: unknown channel ${input.channelId}; name a channel of the guilds option, pass guildId to add it to a guild, or dm: true for a DM`);
        channel = world.addGuildChannel(knownGuild(input.guildId), input.channelId);
      } else if (channel.type === ChannelType.DM) {
        if (channel.recipients?.[0]?.id !== author.id) throw new Error(`fake Discord server: channel ${channel.id} is the DM channel of user ${channel.recipients?.[0]?.id}, not of ${author.id}`);
      } else if (input.guildId !== undefined && channel.guild_id !== input.guildId) {
        throw new Error(`fake Discord server: channel ${channel.id} belongs to guild ${channel.guild_id}, not ${input.guildId}`);
      }
    } else {
      const guild = input.guildId !== undefined ? knownGuild(input.guildId) : world.guilds[0];
      channel = guild?.channels[0];
      if (!channel) throw new Error("fake Discord server: no guild channel to send to; pass channelId, or dm: true");
    }
    const botId = world.bot.id;
    const content = input.mentionsBot && !new RegExp(`<@!?${botId}>`).test(input.content) ? `<@${botId}> ${input.content}` : input.content;
    let replyTo: FakeDiscordMessage | undefined;
    if (input.replyTo !== undefined) {
      const id = typeof input.replyTo === "string" ? input.replyTo : input.replyTo.id;
      replyTo = world.messages.get(id);
      if (!replyTo || replyTo.channel_id !== channel.id) throw new Error(`fake Discord server: replyTo ${id} is not a message of channel ${channel.id}`);
    }
    const attachments = (input.attachments ?? []).map((file) =>
      rest.hostAttachment(channel.id, file.filename, file.contentType ?? "application/octet-stream", typeof file.data === "string" ? Buffer.from(file.data) : Buffer.from(file.data)),
    );
    const message = world.createMessage({
      channelId: channel.id,
      author,
      content,
      attachments,
      ...(input.embeds ? { embeds: input.embeds } : {}),
      ...(replyTo ? { replyTo, replyPing: input.replyPing ?? true } : {}),
    });
    gateway.dispatchMessage("MESSAGE_CREATE", message);
    return message;
  }

  function knownGuild(id: string): FakeDiscordGuild {
    const guild = world.guild(id);
    if (!guild) throw new Error(`fake Discord server: the bot is in no guild ${id}; add it to the guilds option`);
    return guild;
  }

  return {
    url,
    restBase: `${url}/api`,
    gatewayUrl,
    resumeGatewayUrl,
    token,
    botUser: world.bot,
    applicationId: world.applicationId,
    guilds: world.guilds,
    requests: rest.requests,
    sendUserMessage,
    dispatch: (t, d, route = {}) => gateway.dispatch(t, d, route),
    sentMessages: () => rest.sentMessages(),
    reactions: () => rest.reactions.map((reaction) => ({ ...reaction })),
    failNext: (route, failure) => rest.failNext(route, failure),
    dropConnection: async (dropOptions) => void (await gateway.dropConnections(dropOptions)),
    reconnect: () => void gateway.reconnect(),
    invalidateSession: (invalidOptions) => void gateway.invalidateSessions(invalidOptions?.resumable ?? false),
    requestHeartbeat: () => void gateway.requestHeartbeat(),
    setHeartbeatAcks: (on) => gateway.setHeartbeatAcks(on),
    connections: () => gateway.connectionLog.length,
    identifies: () => gateway.identifies,
    resumes: () => gateway.resumes,
    heartbeats: () => gateway.heartbeats,
    sessions: () => gateway.sessions(),
    dispatches: () => gateway.dispatches,
    gatewayConnections: () => gateway.connectionLog,
    gatewayFrames: () => gateway.frames,
    waitForConnections: (count = 1, timeoutMs) => waitFor(() => gateway.connectionLog.length >= count, `${count} gateway connection(s)`, timeoutMs).then(() => undefined),
    waitForIdentifies: (count = 1, timeoutMs) => waitFor(() => gateway.identifies >= count, `${count} IDENTIFY payload(s)`, timeoutMs).then(() => undefined),
    waitForReady: (count = 1, timeoutMs) =>
      waitFor(
        () => {
          const ready = gateway.dispatches.filter((event) => event.t === "READY");
          if (ready.length < count) return undefined;
          const id = ready[count - 1]!.sessionId;
          return gateway.sessions().find((session) => session.id === id);
        },
        `${count} READY dispatch(es)`,
        timeoutMs,
      ),
    waitForResumed: (count = 1, timeoutMs) =>
      waitFor(() => gateway.resumed >= count, `${count} RESUMED dispatch(es)`, timeoutMs).then(() => undefined),
    waitForSentMessages: (count = 1, timeoutMs) =>
      waitFor(
        () => {
          const sent = rest.sentMessages();
          return sent.length >= count ? sent : undefined;
        },
        `${count} message(s) sent by the bot`,
        timeoutMs,
      ),
    waitForRequest: (predicate, timeoutMs) => waitFor(() => rest.requests.find((request) => request.status !== 0 && predicate(request)), "a matching REST request", timeoutMs),
    waitFor,
    close: async () => {
      for (const abort of [...waiters.values()]) abort(new Error("fake Discord server: closed while waiting"));
      gateway.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
