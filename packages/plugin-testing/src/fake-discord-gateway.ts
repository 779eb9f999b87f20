import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { ALL_INTENTS, API_VERSION, Close, Intents, Op, PRIVILEGED_INTENTS, guildCreateObject, withoutContent, type FakeDiscordMessage } from "./fake-discord-wire.js";
import type { DiscordWorld } from "./fake-discord-world.js";

/** One dispatch (op 0) made for one session: sent at once (`live`) or kept for a RESUME, and how often replayed. */
export interface FakeDiscordDispatch {
  sessionId: string;
  s: number;
  t: string;
  d: unknown;
  /** Whether it went out on an open connection when made; false: the session was disconnected and it waits for a RESUME. */
  live: boolean;
  /** How many RESUMEs have replayed it. */
  replays: number;
}

/** A gateway session (made by IDENTIFY, continued by RESUME). */
export interface FakeDiscordSession {
  id: string;
  intents: number;
  shard: [number, number];
  /** The last sequence number given out. */
  seq: number;
  connected: boolean;
  /** False once closed with 1000/1001, invalidated, or timed out. */
  resumable: boolean;
  /** IDENTIFY's `properties` (`os`, `browser`, `device`). */
  properties: Record<string, unknown>;
  /** The last presence sent (IDENTIFY's `presence` or op 3). */
  presence?: unknown;
}

/** One WebSocket connection to the gateway. */
export interface FakeDiscordConnection {
  id: number;
  /** The request path and query, e.g. `/?v=10&encoding=json` or `/resume?v=10&encoding=json`. */
  url: string;
  /** Set when the fake refused the connection's parameters (and closed it): why. */
  refused?: string;
  closed?: { code: number; reason: string; by: "server" | "client" };
}

/** A payload over the gateway, either way, or a close, in order (for reading what happened when a test fails). */
export type FakeDiscordGatewayFrame =
  | { connection: number; direction: "in" | "out"; payload: unknown }
  | { connection: number; direction: "close"; code: number; reason: string; by: "server" | "client" };

export interface GatewayOptions {
  token: string;
  resumeGatewayUrl: string;
  heartbeatIntervalMs: number;
  /** Close with 4009 when no heartbeat came this long after HELLO or the last heartbeat; 0: never. */
  heartbeatTimeoutMs: number;
  /** How long a disconnected session stays resumable. */
  sessionTimeoutMs: number;
  /** Privileged intents the app may use (Developer Portal toggles); others close with 4014. */
  privilegedIntents: number;
}

interface Session {
  info: FakeDiscordSession;
  /** Every dispatch of the session, in `s` order, for replay. */
  events: FakeDiscordDispatch[];
  connection?: Connection;
  disconnectedAt?: number;
}

interface Connection {
  info: FakeDiscordConnection;
  ws: WebSocket;
  session?: Session;
  /** Set by IDENTIFY/RESUME; cleared by op 9. */
  authenticated: boolean;
  heartbeatTimer?: NodeJS.Timeout;
  /** Times of received payloads in the last minute (120 per 60 s, else 4008). */
  received: number[];
  serverClose?: { code: number; reason: string };
}

const MAX_PAYLOAD_BYTES = 4096;
const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;
const TRACE = ['["fake-discord-gateway",{"micros":0}]'];

/**
 * The gateway half of the fake Discord server: HELLO on connect, IDENTIFY → READY + GUILD_CREATE,
 * heartbeats ACKed, every dispatch sequenced and kept per session so a RESUME on a new connection
 * replays what the client missed, then RESUMED. Close codes as Discord's (4004 bad token, 4005 a
 * second IDENTIFY, 4007 bad seq, 4009 missed heartbeats, 4013/4014 intents, …).
 */
export class FakeDiscordGateway {
  readonly connectionLog: FakeDiscordConnection[] = [];
  readonly frames: FakeDiscordGatewayFrame[] = [];
  readonly dispatches: FakeDiscordDispatch[] = [];
  identifies = 0;
  resumes = 0;
  /** RESUMEs accepted (RESUMED sent). */
  resumed = 0;
  heartbeats = 0;
  private ackHeartbeats = true;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly sessionsById = new Map<string, Session>();
  private readonly open = new Set<Connection>();

  constructor(
    private readonly world: DiscordWorld,
    private readonly options: GatewayOptions,
    private readonly changed: () => void,
  ) {}

  /** The HTTP server's `upgrade` handler: the gateway answers at `/` (connect) and `/resume` (resume_gateway_url). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "ws://fake");
    if (url.pathname !== "/" && url.pathname !== "/resume") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nfake Discord gateway: WebSocket connections go to / or /resume\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, `${url.pathname}${url.search}`, url.searchParams));
  }

  private accept(ws: WebSocket, path: string, query: URLSearchParams): void {
    const connection: Connection = { info: { id: this.connectionLog.length + 1, url: path }, ws, authenticated: false, received: [] };
    this.connectionLog.push(connection.info);
    this.open.add(connection);
    ws.on("message", (data, isBinary) => this.receive(connection, data, isBinary));
    ws.on("close", (code, reason) => this.closed(connection, code, reason.toString()));
    ws.on("error", () => {});
    this.changed();

    const version = query.get("v");
    if (version !== null && version !== String(API_VERSION)) return this.closeWith(connection, Close.InvalidApiVersion);
    const encoding = query.get("encoding") ?? "json";
    const compress = query.get("compress");
    const refusal =
      encoding !== "json"
        ? `encoding=${encoding} is not supported; the fake Discord gateway speaks encoding=json only`
        : compress !== null
          ? `compress=${compress} is not supported; the fake Discord gateway sends uncompressed JSON only (leave the client's transport compression off)`
          : undefined;
    if (refusal) {
      connection.info.refused = refusal;
      // 1003: the endpoint cannot accept this kind of data (RFC 6455).
      return this.closeWith(connection, [1003, refusal]);
    }
    this.send(connection, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: TRACE }, s: null, t: null });
    this.armHeartbeatTimer(connection);
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary || bytes.length > MAX_PAYLOAD_BYTES) return this.closeWith(connection, Close.DecodeError);
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(bytes.toString("utf8")) as { op?: unknown; d?: unknown };
    } catch {
      return this.closeWith(connection, Close.DecodeError);
    }
    if (typeof payload !== "object" || payload === null) return this.closeWith(connection, Close.DecodeError);
    this.frames.push({ connection: connection.info.id, direction: "in", payload });
    // 120 payloads a minute per connection. Heartbeats are left out of the count here: a test's
    // short heartbeat interval must not run into a limit sized for Discord's 41 s one.
    if (payload.op !== Op.Heartbeat) {
      const now = Date.now();
      connection.received = connection.received.filter((at) => now - at < SEND_WINDOW_MS);
      connection.received.push(now);
      if (connection.received.length > SEND_LIMIT) return this.closeWith(connection, Close.RateLimited);
    }
    switch (payload.op) {
      case Op.Heartbeat:
        return this.heartbeat(connection);
      case Op.Identify:
        return this.identify(connection, payload.d);
      case Op.Resume:
        return this.resume(connection, payload.d);
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
      case Op.RequestSoundboardSounds:
        if (!connection.authenticated) return this.closeWith(connection, Close.NotAuthenticated);
        if (payload.op === Op.PresenceUpdate && connection.session) connection.session.info.presence = payload.d;
        return;
      default:
        return this.closeWith(connection, Close.UnknownOpcode);
    }
  }

  private heartbeat(connection: Connection): void {
    this.heartbeats += 1;
    this.armHeartbeatTimer(connection);
    if (this.ackHeartbeats) this.send(connection, { op: Op.HeartbeatAck, d: null, s: null, t: null });
    this.changed();
  }

  private armHeartbeatTimer(connection: Connection): void {
    clearTimeout(connection.heartbeatTimer);
    if (this.options.heartbeatTimeoutMs <= 0) return;
    connection.heartbeatTimer = setTimeout(() => this.closeWith(connection, Close.SessionTimedOut), this.options.heartbeatTimeoutMs);
  }

  private identify(connection: Connection, d: unknown): void {
    this.identifies += 1;
    this.changed();
    if (connection.authenticated) return this.closeWith(connection, Close.AlreadyAuthenticated);
    const data = asRecord(d);
    if (!data || typeof data.token !== "string") return this.closeWith(connection, Close.DecodeError);
    if (data.token !== this.options.token) return this.closeWith(connection, Close.AuthenticationFailed);
    const intents = data.intents;
    if (typeof intents !== "number" || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) return this.closeWith(connection, Close.InvalidIntents);
    if ((intents & PRIVILEGED_INTENTS & ~this.options.privilegedIntents) !== 0) return this.closeWith(connection, Close.DisallowedIntents);
    let shard: [number, number] = [0, 1];
    if (data.shard !== undefined) {
      const [id, count] = Array.isArray(data.shard) ? (data.shard as unknown[]) : [];
      if (!Number.isInteger(id) || !Number.isInteger(count) || (count as number) < 1 || (id as number) < 0 || (id as number) >= (count as number)) return this.closeWith(connection, Close.InvalidShard);
      shard = [id as number, count as number];
    }
    const session: Session = {
      info: { id: randomBytes(16).toString("hex"), intents, shard, seq: 0, connected: true, resumable: true, properties: asRecord(data.properties) ?? {}, presence: data.presence },
      events: [],
      connection,
    };
    this.sessionsById.set(session.info.id, session);
    connection.session = session;
    connection.authenticated = true;
    const guilds = this.world.guilds.filter((guild) => inShard(guild.id, shard));
    const bot = this.world.bot;
    this.dispatchTo(session, "READY", {
      v: API_VERSION,
      user_settings: {},
      user: { ...bot, verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.info.id,
      session_type: "normal",
      resume_gateway_url: this.options.resumeGatewayUrl,
      ...(data.shard !== undefined ? { shard } : {}),
      application: { id: this.world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: TRACE,
    });
    if ((intents & Intents.Guilds) !== 0) for (const guild of guilds) this.dispatchTo(session, "GUILD_CREATE", guildCreateObject(guild, bot, this.world.joinedAt));
  }

  private resume(connection: Connection, d: unknown): void {
    this.resumes += 1;
    this.changed();
    if (connection.authenticated) return this.closeWith(connection, Close.AlreadyAuthenticated);
    const data = asRecord(d);
    if (!data || typeof data.token !== "string" || typeof data.session_id !== "string" || (typeof data.seq !== "number" && data.seq !== null)) return this.closeWith(connection, Close.DecodeError);
    if (data.token !== this.options.token) return this.closeWith(connection, Close.AuthenticationFailed);
    const session = this.sessionsById.get(data.session_id);
    if (!session || !this.resumable(session)) {
      this.send(connection, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    const seq = data.seq ?? 0;
    if (seq > session.info.seq) {
      this.invalidate(session);
      return this.closeWith(connection, Close.InvalidSeq);
    }
    // A RESUME takes the session over from a connection that may still be open (a zombie).
    const previous = session.connection;
    if (previous && previous !== connection) {
      previous.session = undefined;
      previous.authenticated = false;
      previous.ws.terminate();
    }
    session.connection = connection;
    session.disconnectedAt = undefined;
    session.info.connected = true;
    connection.session = session;
    connection.authenticated = true;
    for (const event of session.events) {
      if (event.s <= seq) continue;
      event.replays += 1;
      this.send(connection, { op: Op.Dispatch, d: event.d, s: event.s, t: event.t });
    }
    session.info.seq += 1;
    this.send(connection, { op: Op.Dispatch, d: { _trace: TRACE }, s: session.info.seq, t: "RESUMED" });
    this.resumed += 1;
    this.changed();
  }

  /**
   * Dispatches an event to every live session it is for: by shard (events with a guild go to the
   * guild's shard, others to shard 0) and by intent. Disconnected but resumable sessions keep it
   * for their RESUME. `transform` adjusts the data per session (e.g. no content without MESSAGE_CONTENT).
   */
  dispatch(t: string, d: unknown, route: { guildId?: string; intent?: number; transform?: (d: unknown, session: FakeDiscordSession) => unknown } = {}): FakeDiscordDispatch[] {
    const made: FakeDiscordDispatch[] = [];
    for (const session of this.sessionsById.values()) {
      if (!this.resumable(session)) continue;
      const [shardId] = session.info.shard;
      if (route.guildId !== undefined ? !inShard(route.guildId, session.info.shard) : shardId !== 0) continue;
      if (route.intent !== undefined && (session.info.intents & route.intent) === 0) continue;
      made.push(this.dispatchTo(session, t, route.transform ? route.transform(d, session.info) : d));
    }
    this.changed();
    return made;
  }

  /** MESSAGE_CREATE / MESSAGE_UPDATE: GUILD_MESSAGES or DIRECT_MESSAGES, content only with MESSAGE_CONTENT (or the bot's own, mentioning it, or a DM). */
  dispatchMessage(t: "MESSAGE_CREATE" | "MESSAGE_UPDATE", message: FakeDiscordMessage): FakeDiscordDispatch[] {
    const botId = this.world.bot.id;
    return this.dispatch(t, message, {
      ...(message.guild_id ? { guildId: message.guild_id } : {}),
      intent: message.guild_id ? Intents.GuildMessages : Intents.DirectMessages,
      transform: (d, session) => ((session.intents & Intents.MessageContent) !== 0 ? d : withoutContent(d as FakeDiscordMessage, botId)),
    });
  }

  private dispatchTo(session: Session, t: string, d: unknown): FakeDiscordDispatch {
    session.info.seq += 1;
    const connection = session.connection;
    const live = connection !== undefined && connection.ws.readyState === connection.ws.OPEN;
    const event: FakeDiscordDispatch = { sessionId: session.info.id, s: session.info.seq, t, d, live, replays: 0 };
    session.events.push(event);
    this.dispatches.push(event);
    if (live) this.send(connection, { op: Op.Dispatch, d, s: event.s, t });
    this.changed();
    return event;
  }

  private resumable(session: Session): boolean {
    if (!session.info.resumable) return false;
    if (session.disconnectedAt !== undefined && Date.now() - session.disconnectedAt > this.options.sessionTimeoutMs) this.invalidate(session);
    return session.info.resumable;
  }

  private invalidate(session: Session): void {
    session.info.resumable = false;
    this.detach(session);
  }

  private detach(session: Session): void {
    const connection = session.connection;
    if (connection) {
      connection.session = undefined;
      connection.authenticated = false;
    }
    session.connection = undefined;
    session.info.connected = false;
    session.disconnectedAt ??= Date.now();
  }

  private send(connection: Connection, payload: Record<string, unknown>): void {
    if (connection.ws.readyState !== connection.ws.OPEN) return;
    this.frames.push({ connection: connection.info.id, direction: "out", payload });
    connection.ws.send(JSON.stringify(payload));
  }

  /** Closes with a Discord close code; the session of a 4007 was invalidated before, any other stays resumable. */
  private closeWith(connection: Connection, [code, reason]: readonly [number, string]): void {
    if (connection.serverClose || connection.ws.readyState !== connection.ws.OPEN) return;
    // A close reason is at most 123 bytes.
    let short = reason;
    while (Buffer.byteLength(short) > 123) short = short.slice(0, -1);
    connection.serverClose = { code, reason: short };
    if (connection.session) this.detach(connection.session);
    connection.ws.close(code, short);
    // A client that does not answer the close frame is cut off, as a real server would.
    setTimeout(() => connection.ws.terminate(), 2000).unref();
  }

  private closed(connection: Connection, code: number, reason: string): void {
    clearTimeout(connection.heartbeatTimer);
    this.open.delete(connection);
    const byServer = connection.serverClose;
    const closed = byServer ? { ...byServer, by: "server" as const } : { code, reason, by: "client" as const };
    connection.info.closed = closed;
    this.frames.push({ connection: connection.info.id, direction: "close", ...closed });
    const session = connection.session;
    if (session) {
      // Closing with 1000 or 1001 ends the session; any other close (or none) leaves it resumable.
      if (!byServer && (code === 1000 || code === 1001)) this.invalidate(session);
      else this.detach(session);
    }
    this.changed();
  }

  // ── Test controls ──

  /**
   * Drops every open connection: with no code the TCP connection is cut (the client sees 1006, as
   * when a network fails); with a code the server closes with it (4000 and friends: resume).
   * Sessions stay resumable, and dispatches made from now on wait for the RESUME.
   */
  async dropConnections(options: { code?: number; reason?: string } = {}): Promise<number> {
    const connections = [...this.open].filter((connection) => connection.ws.readyState === connection.ws.OPEN);
    if (connections.length === 0) throw new Error("fake Discord server: dropConnection() found no open gateway connection");
    await Promise.all(
      connections.map(
        (connection) =>
          new Promise<void>((resolve) => {
            connection.ws.once("close", () => resolve());
            if (connection.session) this.detach(connection.session);
            // 1005, 1006 and 1015 are never sent in a close frame: they mean "no frame", i.e. a cut connection.
            if (options.code === undefined || options.code === 1005 || options.code === 1006 || options.code === 1015) {
              connection.serverClose = { code: 1006, reason: "connection dropped by the test" };
              connection.ws.terminate();
            } else this.closeWith(connection, [options.code, options.reason ?? "connection dropped by the test"]);
          }),
      ),
    );
    return connections.length;
  }

  /** Sends op 7 Reconnect to every authenticated connection: the client should reconnect and resume. */
  reconnect(): number {
    return this.toAuthenticated((connection) => this.send(connection, { op: Op.Reconnect, d: null, s: null, t: null }));
  }

  /** Sends op 9 Invalid Session to every authenticated connection; `resumable: false` (the default) ends the sessions. */
  invalidateSessions(resumable: boolean): number {
    return this.toAuthenticated((connection) => {
      const session = connection.session!;
      if (resumable) this.detach(session);
      else this.invalidate(session);
      this.send(connection, { op: Op.InvalidSession, d: resumable, s: null, t: null });
    });
  }

  /** Sends op 1 Heartbeat (a heartbeat request) to every open connection. */
  requestHeartbeat(): number {
    const connections = [...this.open];
    for (const connection of connections) this.send(connection, { op: Op.Heartbeat, d: null, s: null, t: null });
    return connections.length;
  }

  setHeartbeatAcks(on: boolean): void {
    this.ackHeartbeats = on;
  }

  sessions(): FakeDiscordSession[] {
    return [...this.sessionsById.values()].map((session) => {
      this.resumable(session); // a session past its timeout shows as not resumable
      return { ...session.info };
    });
  }

  private toAuthenticated(act: (connection: Connection) => void): number {
    const connections = [...this.open].filter((connection) => connection.authenticated && connection.session);
    connections.forEach(act);
    this.changed();
    return connections.length;
  }

  close(): void {
    for (const connection of this.open) {
      clearTimeout(connection.heartbeatTimer);
      connection.ws.terminate();
    }
    this.wss.close();
  }
}

/** `shard_id = (guild_id >> 22) % num_shards`. */
function inShard(guildId: string, [shardId, shardCount]: [number, number]): boolean {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount)) === shardId;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
