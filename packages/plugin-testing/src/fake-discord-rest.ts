import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeDiscordGateway } from "./fake-discord-gateway.js";
import {
  API_VERSION,
  Intents,
  MAX_CONTENT_LENGTH,
  apiError,
  discordTimestamp,
  formError,
  isSnowflake,
  type FakeDiscordAttachment,
  type FakeDiscordMessage,
  type FakeDiscordMessageReference,
} from "./fake-discord-wire.js";
import { restMessage, type DiscordWorld } from "./fake-discord-world.js";

/** A REST request the fake received, as it received it (path after `/api/v10`). */
export interface FakeDiscordRequest {
  method: string;
  /** E.g. `/channels/1190000000000000101/messages` (no query). */
  path: string;
  /** The route it matched, e.g. `/channels/:channelId/messages`; undefined for an unknown route. */
  route?: string;
  query: Record<string, string>;
  /** Lower-cased names, as Node gives them. */
  headers: Record<string, string>;
  /** The JSON body, or a multipart request's `payload_json`; undefined without a body. */
  body: unknown;
  /** A multipart request's files. */
  files: { field: string; filename: string; contentType: string; size: number }[];
  /** The status the fake answered with. */
  status: number;
}

/** A scripted failure for the next request(s) matching a route. */
export interface FakeDiscordFailure {
  status: number;
  /** Default: Discord's body for the status (429: `{ message, retry_after, global }`; else `{ message: "<status>: …", code: 0 }`). */
  body?: unknown;
  /** Added to (and overriding) the headers the fake would send. */
  headers?: Record<string, string>;
  /** 429: seconds to wait (`retry_after`; the `Retry-After` header is it rounded up, as Discord sends it). Default 0.1. */
  retryAfter?: number;
  /** 429: a global rate limit (`X-RateLimit-Global`, scope `global`). */
  global?: boolean;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/**
 * Which requests a failure is for: `"POST /channels/:channelId/messages"` (a `:name`, `{name}` or
 * `*` segment matches any one segment; no method: any method), a RegExp tested against
 * `"METHOD /path"`, or a predicate.
 */
export type FakeDiscordRouteMatcher = string | RegExp | ((request: FakeDiscordRequest) => boolean);

/** A message the bot created through REST, with what the request asked. */
export interface FakeDiscordSentMessage {
  id: string;
  channelId: string;
  guildId?: string;
  /** The content as created (later edits are in `edits`). */
  content: string;
  embeds: Record<string, unknown>[];
  files: { filename: string; contentType: string; size: number }[];
  /** The request's `message_reference` (a reply), or null. */
  messageReference: FakeDiscordMessageReference | null;
  allowedMentions?: unknown;
  components: Record<string, unknown>[];
  tts: boolean;
  nonce?: string | number;
  /** The message as it is now (edited, or as created), in the gateway's form. */
  message: FakeDiscordMessage;
  /** Contents of later PATCHes, in order. */
  edits: string[];
  deleted: boolean;
}

export interface FakeDiscordReaction {
  channelId: string;
  messageId: string;
  /** As in the URL, decoded: `👍` or `name:id`. */
  emoji: string;
  removed: boolean;
}

export interface RestOptions {
  token: string;
  url: string;
  gatewayUrl: string;
  rateLimit: { limit: number; windowMs: number };
}

interface Parsed {
  request: FakeDiscordRequest;
  params: Record<string, string>;
  fileData: { filename: string; contentType: string; data: Buffer }[];
}

interface Answer {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: string;
  auth?: false;
  handle: (parsed: Parsed) => Answer | Promise<Answer>;
}

interface Failure extends FakeDiscordFailure {
  matcher: FakeDiscordRouteMatcher;
  left: number;
}

interface SentRecord extends Omit<FakeDiscordSentMessage, "message" | "edits" | "deleted"> {
  edits: string[];
}

const NOT_FOUND = apiError(0, "404: Not Found");
const UNKNOWN_CHANNEL = apiError(10003, "Unknown Channel");
const UNKNOWN_MESSAGE = apiError(10008, "Unknown Message");

/** The REST half of the fake Discord server, at `/api/v10/…` as @discordjs/rest calls it. */
export class FakeDiscordRest {
  readonly requests: FakeDiscordRequest[] = [];
  readonly reactions: FakeDiscordReaction[] = [];
  private readonly sent: SentRecord[] = [];
  private readonly deleted = new Set<string>();
  private readonly failures: Failure[] = [];
  private readonly buckets = new Map<string, { remaining: number; resetAt: number }>();
  /** Files behind attachment URLs (`/attachments/<channel>/<id>/<name>`), served without auth as the CDN serves them. */
  private readonly files = new Map<string, { data: Buffer; contentType: string }>();
  private readonly routes: Route[];

  constructor(
    private readonly world: DiscordWorld,
    private readonly gateway: FakeDiscordGateway,
    private readonly options: RestOptions,
    private readonly changed: () => void,
  ) {
    this.routes = [
      { method: "GET", pattern: "/gateway", auth: false, handle: () => ({ status: 200, body: { url: options.gatewayUrl } }) },
      { method: "GET", pattern: "/gateway/bot", handle: () => ({ status: 200, body: this.gatewayBot() }) },
      { method: "GET", pattern: "/users/@me", handle: () => ({ status: 200, body: { ...world.bot, verified: true, mfa_enabled: false, email: null, locale: "en-US" } }) },
      { method: "POST", pattern: "/users/@me/channels", handle: (parsed) => this.createDm(parsed) },
      { method: "GET", pattern: "/users/:userId", handle: ({ params }) => (world.users.has(params.userId!) ? { status: 200, body: world.users.get(params.userId!) } : { status: 404, body: apiError(10013, "Unknown User") }) },
      { method: "GET", pattern: "/applications/@me", handle: () => ({ status: 200, body: this.application() }) },
      { method: "GET", pattern: "/channels/:channelId", handle: ({ params }) => (world.channels.has(params.channelId!) ? { status: 200, body: world.channels.get(params.channelId!) } : { status: 404, body: UNKNOWN_CHANNEL }) },
      { method: "GET", pattern: "/channels/:channelId/messages", handle: (parsed) => this.listMessages(parsed) },
      { method: "POST", pattern: "/channels/:channelId/messages", handle: (parsed) => this.createMessage(parsed) },
      { method: "GET", pattern: "/channels/:channelId/messages/:messageId", handle: ({ params }) => this.withMessage(params, (message) => ({ status: 200, body: restMessage(message) })) },
      { method: "PATCH", pattern: "/channels/:channelId/messages/:messageId", handle: (parsed) => this.editMessage(parsed) },
      { method: "DELETE", pattern: "/channels/:channelId/messages/:messageId", handle: ({ params }) => this.deleteMessage(params) },
      { method: "POST", pattern: "/channels/:channelId/typing", handle: ({ params }) => (world.channels.has(params.channelId!) ? { status: 204 } : { status: 404, body: UNKNOWN_CHANNEL }) },
      { method: "PUT", pattern: "/channels/:channelId/messages/:messageId/reactions/:emoji/@me", handle: ({ params }) => this.react(params, false) },
      { method: "DELETE", pattern: "/channels/:channelId/messages/:messageId/reactions/:emoji/@me", handle: ({ params }) => this.react(params, true) },
    ];
  }

  failNext(matcher: FakeDiscordRouteMatcher, failure: FakeDiscordFailure): void {
    this.failures.push({ ...failure, matcher, left: failure.times ?? 1 });
  }

  sentMessages(): FakeDiscordSentMessage[] {
    return this.sent.map((record) => ({ ...record, edits: [...record.edits], message: this.world.messages.get(record.id)!, deleted: this.deleted.has(record.id) }));
  }

  /** Hosts a file behind an attachment URL and returns the attachment object. */
  hostAttachment(channelId: string, filename: string, contentType: string, data: Buffer): FakeDiscordAttachment {
    const id = this.world.nextId();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    this.files.set(path, { data, contentType });
    const url = `${this.options.url}${path}`;
    return { id, filename, size: data.length, url, proxy_url: url, content_type: contentType };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    const file = this.files.get(url.pathname);
    if (req.method === "GET" && file) {
      res.writeHead(200, { "content-type": file.contentType, "content-length": file.data.length }).end(file.data);
      return;
    }
    const prefix = `/api/v${API_VERSION}`;
    if (!url.pathname.startsWith(`${prefix}/`)) {
      const message = /^\/api\/v\d+\//.test(url.pathname) ? `fake Discord server: it speaks API v${API_VERSION} only` : "404: Not Found";
      sendJson(res, 404, apiError(0, message));
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    // Segments decoded (`/users/%40me` is `/users/@me`, a reaction's emoji is itself).
    const path = url.pathname.slice(prefix.length).replace(/\/$/, "").split("/").map(decodeSegment).join("/") || "/";
    const request: FakeDiscordRequest = { method, path, query: Object.fromEntries(url.searchParams), headers: flatHeaders(req), body: undefined, files: [], status: 0 };
    this.requests.push(request);
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      request.status = status;
      if (status === 204 || body === undefined) res.writeHead(status, headers).end();
      else sendJson(res, status, body, headers);
      this.changed();
    };

    const candidates = this.routes.map((route) => ({ route, params: matchPattern(route.pattern, path) })).filter((match) => match.params !== undefined);
    const matched = candidates.find((candidate) => candidate.route.method === method);
    if (matched) request.route = matched.route.pattern;

    const parsedBody = raw.length > 0 ? await parseBody(req.headers["content-type"] ?? "", raw) : { body: undefined, files: [] };
    if (parsedBody !== "invalid") {
      request.body = parsedBody.body;
      request.files = parsedBody.files.map(({ data, ...file }) => ({ ...file, size: data.length }));
    }

    const failure = this.takeFailure(request);
    if (failure) {
      const [body, headers] = this.failureAnswer(failure, request);
      return answer(failure.status, body, headers);
    }
    if (!matched) return answer(candidates.length > 0 ? 405 : 404, candidates.length > 0 ? apiError(0, "405: Method Not Allowed") : NOT_FOUND);
    if (matched.route.auth !== false && request.headers.authorization !== `Bot ${this.options.token}`) return answer(401, apiError(0, "401: Unauthorized"));
    const limit = this.bucket(method, matched.route.pattern, path);
    if (limit.exhausted) return answer(429, { message: "You are being rate limited.", retry_after: limit.retryAfter, global: false }, { ...limit.headers, "retry-after": String(Math.ceil(limit.retryAfter)), "x-ratelimit-scope": "user" });
    if (parsedBody === "invalid") return answer(400, apiError(50109, "The request body contains invalid JSON."), limit.headers);
    const result = await matched.route.handle({ request, params: matched.params!, fileData: parsedBody.files });
    answer(result.status, result.body, limit.headers);
  }

  private takeFailure(request: FakeDiscordRequest): Failure | undefined {
    const index = this.failures.findIndex((failure) => matchesRoute(failure.matcher, request));
    if (index < 0) return undefined;
    const failure = this.failures[index]!;
    failure.left -= 1;
    if (failure.left <= 0) this.failures.splice(index, 1);
    return failure;
  }

  private failureAnswer(failure: Failure, request: FakeDiscordRequest): [unknown, Record<string, string>] {
    if (failure.status !== 429) return [failure.body ?? apiError(0, `${failure.status}: ${STATUS_TEXT[failure.status] ?? "Error"}`), failure.headers ?? {}];
    const retryAfter = failure.retryAfter ?? 0.1;
    const resetAt = Date.now() / 1000 + retryAfter;
    const headers: Record<string, string> = failure.global
      ? { "retry-after": String(Math.ceil(retryAfter)), "x-ratelimit-global": "true", "x-ratelimit-scope": "global" }
      : {
          "retry-after": String(Math.ceil(retryAfter)),
          "x-ratelimit-limit": String(this.options.rateLimit.limit),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": resetAt.toFixed(3),
          "x-ratelimit-reset-after": retryAfter.toFixed(3),
          "x-ratelimit-bucket": bucketHash(request.method, request.route ?? request.path),
          "x-ratelimit-scope": "user",
        };
    return [failure.body ?? { message: "You are being rate limited.", retry_after: retryAfter, global: failure.global ?? false }, { ...headers, ...failure.headers }];
  }

  /** Per-route buckets keyed by the top-level resource (channel, guild, webhook), with Discord's headers. */
  private bucket(method: string, pattern: string, path: string): { exhausted: boolean; retryAfter: number; headers: Record<string, string> } {
    const major = /^\/(?:channels|guilds|webhooks)\/(\d+)/.exec(path)?.[1] ?? "global";
    const key = `${method} ${pattern} ${major}`;
    const now = Date.now();
    const { limit, windowMs } = this.options.rateLimit;
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { remaining: limit, resetAt: now + windowMs };
      this.buckets.set(key, bucket);
    }
    const exhausted = bucket.remaining <= 0;
    if (!exhausted) bucket.remaining -= 1;
    const resetAfter = Math.max(0, bucket.resetAt - now) / 1000;
    return {
      exhausted,
      retryAfter: resetAfter,
      headers: {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": String(bucket.remaining),
        "x-ratelimit-reset": (bucket.resetAt / 1000).toFixed(3),
        "x-ratelimit-reset-after": resetAfter.toFixed(3),
        "x-ratelimit-bucket": bucketHash(method, pattern),
      },
    };
  }

  private gatewayBot(): Record<string, unknown> {
    return {
      url: this.options.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: Math.max(0, 1000 - this.gateway.identifies), reset_after: 14_400_000, max_concurrency: 1 },
    };
  }

  private application(): Record<string, unknown> {
    const bot = this.world.bot;
    return { id: this.world.applicationId, name: bot.username, icon: null, description: "", summary: "", type: null, bot, bot_public: true, bot_require_code_grant: false, verify_key: "0".repeat(64), flags: 0, team: null };
  }

  private createDm({ request }: Parsed): Answer {
    const recipient = asRecord(request.body)?.recipient_id;
    if (!isSnowflake(recipient)) return { status: 400, body: formError("recipient_id", "NUMBER_TYPE_COERCE", `Value "${String(recipient)}" is not snowflake.`) };
    const user = this.world.users.get(recipient) ?? this.world.rememberUser({ id: recipient, username: `user${recipient.slice(-4)}` });
    return { status: 200, body: this.world.dmChannelFor(user) };
  }

  private listMessages({ params, request }: Parsed): Answer {
    if (!this.world.channels.has(params.channelId!)) return { status: 404, body: UNKNOWN_CHANNEL };
    const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 50) || 50));
    const before = request.query.before ? BigInt(request.query.before) : undefined;
    const after = request.query.after ? BigInt(request.query.after) : undefined;
    const messages = [...this.world.messages.values()]
      .filter((message) => message.channel_id === params.channelId && !this.deleted.has(message.id))
      .filter((message) => (before === undefined || BigInt(message.id) < before) && (after === undefined || BigInt(message.id) > after))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit);
    return { status: 200, body: messages.map(restMessage) };
  }

  private createMessage({ params, request, fileData }: Parsed): Answer {
    const channel = this.world.channels.get(params.channelId!);
    if (!channel) return { status: 404, body: UNKNOWN_CHANNEL };
    const body = asRecord(request.body) ?? {};
    const content = body.content === undefined || body.content === null ? "" : body.content;
    if (typeof content !== "string") return { status: 400, body: formError("content", "BASE_TYPE_STRING", "Must be a string.") };
    if ([...content].length > MAX_CONTENT_LENGTH) return { status: 400, body: formError("content", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`) };
    const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
    if (embeds.length > 10) return { status: 400, body: formError("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.") };
    const components = Array.isArray(body.components) ? (body.components as Record<string, unknown>[]) : [];
    const stickers = Array.isArray(body.sticker_ids) ? body.sticker_ids : [];
    if (content.trim() === "" && embeds.length === 0 && fileData.length === 0 && components.length === 0 && stickers.length === 0 && body.poll === undefined) {
      return { status: 400, body: apiError(50006, "Cannot send an empty message") };
    }
    const reference = asRecord(body.message_reference) as FakeDiscordMessageReference | undefined;
    let replyTo: FakeDiscordMessage | undefined;
    if (reference?.message_id !== undefined) {
      const target = this.world.messages.get(String(reference.message_id));
      // A reply points at a message of the channel it is posted in.
      const sameChannel = target && target.channel_id === channel.id && (reference.channel_id ?? channel.id) === channel.id && !this.deleted.has(target.id);
      if (sameChannel) replyTo = target;
      else if (reference.fail_if_not_exists !== false) return { status: 400, body: formError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message") };
    }
    const allowedMentions = asRecord(body.allowed_mentions);
    const nonce = typeof body.nonce === "string" || typeof body.nonce === "number" ? body.nonce : undefined;
    const message = this.world.createMessage({
      channelId: channel.id,
      author: this.world.bot,
      content,
      embeds,
      components,
      attachments: fileData.map((file) => this.hostAttachment(channel.id, file.filename, file.contentType, file.data)),
      tts: body.tts === true,
      ...(nonce !== undefined ? { nonce } : {}),
      ...(typeof body.flags === "number" ? { flags: body.flags } : {}),
      ...(replyTo ? { replyTo, replyPing: allowedMentions ? allowedMentions.replied_user === true : true } : {}),
    });
    this.sent.push({
      id: message.id,
      channelId: channel.id,
      ...(message.guild_id ? { guildId: message.guild_id } : {}),
      content,
      embeds,
      files: fileData.map(({ filename, contentType, data }) => ({ filename, contentType, size: data.length })),
      messageReference: reference ?? null,
      ...(body.allowed_mentions !== undefined ? { allowedMentions: body.allowed_mentions } : {}),
      components,
      tts: body.tts === true,
      ...(nonce !== undefined ? { nonce } : {}),
      edits: [],
    });
    // Discord sends a bot its own messages over the gateway too.
    this.gateway.dispatchMessage("MESSAGE_CREATE", message);
    return { status: 200, body: restMessage(message) };
  }

  private editMessage({ params, request }: Parsed): Answer {
    return this.withMessage(params, (message) => {
      if (message.author.id !== this.world.bot.id) return { status: 403, body: apiError(50005, "Cannot edit a message authored by another user") };
      const body = asRecord(request.body) ?? {};
      if (body.content !== undefined && body.content !== null && typeof body.content !== "string") return { status: 400, body: formError("content", "BASE_TYPE_STRING", "Must be a string.") };
      const content = typeof body.content === "string" ? body.content : message.content;
      if ([...content].length > MAX_CONTENT_LENGTH) return { status: 400, body: formError("content", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_CONTENT_LENGTH} or fewer in length.`) };
      const edited: FakeDiscordMessage = {
        ...message,
        content,
        ...(Array.isArray(body.embeds) ? { embeds: body.embeds as Record<string, unknown>[] } : {}),
        ...(Array.isArray(body.components) ? { components: body.components as Record<string, unknown>[] } : {}),
        edited_timestamp: discordTimestamp(),
      };
      this.world.messages.set(edited.id, edited);
      if (typeof body.content === "string") this.sent.find((record) => record.id === edited.id)?.edits.push(body.content);
      this.gateway.dispatchMessage("MESSAGE_UPDATE", edited);
      return { status: 200, body: restMessage(edited) };
    });
  }

  private deleteMessage(params: Record<string, string>): Answer {
    return this.withMessage(params, (message) => {
      this.deleted.add(message.id);
      this.gateway.dispatch(
        "MESSAGE_DELETE",
        { id: message.id, channel_id: message.channel_id, ...(message.guild_id ? { guild_id: message.guild_id } : {}) },
        { ...(message.guild_id ? { guildId: message.guild_id } : {}), intent: message.guild_id ? Intents.GuildMessages : Intents.DirectMessages },
      );
      return { status: 204 };
    });
  }

  private react(params: Record<string, string>, remove: boolean): Answer {
    return this.withMessage(params, (message) => {
      const emoji = params.emoji!;
      if (remove) {
        const reaction = this.reactions.find((r) => r.messageId === message.id && r.emoji === emoji && !r.removed);
        if (reaction) reaction.removed = true;
      } else this.reactions.push({ channelId: message.channel_id, messageId: message.id, emoji, removed: false });
      return { status: 204 };
    });
  }

  private withMessage(params: Record<string, string>, act: (message: FakeDiscordMessage) => Answer): Answer {
    if (!this.world.channels.has(params.channelId!)) return { status: 404, body: UNKNOWN_CHANNEL };
    const message = this.world.messages.get(params.messageId!);
    if (!message || message.channel_id !== params.channelId || this.deleted.has(message.id)) return { status: 404, body: UNKNOWN_MESSAGE };
    return act(message);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** A route pattern's parameters for a path, or undefined when it does not match. */
function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of want.entries()) {
    const actual = got[index]!;
    const name = /^:(\w+)$/.exec(segment)?.[1] ?? /^\{(\w+)\}$/.exec(segment)?.[1] ?? (segment === "*" ? `*${index}` : undefined);
    if (name !== undefined) params[name] = actual;
    else if (segment !== actual) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchesRoute(matcher: FakeDiscordRouteMatcher, request: FakeDiscordRequest): boolean {
  if (typeof matcher === "function") return matcher(request);
  if (matcher instanceof RegExp) return matcher.test(`${request.method} ${request.path}`);
  const [first, second] = matcher.trim().split(/\s+/, 2);
  const [method, pattern] = second === undefined ? [undefined, first!] : [first!.toUpperCase(), second];
  if (method !== undefined && method !== request.method) return false;
  const path = pattern.replace(/^\/api\/v\d+/, "").replace(/\/$/, "") || "/";
  return matchPattern(path, request.path) !== undefined;
}

function bucketHash(method: string, route: string): string {
  return createHash("sha256").update(`${method} ${route}`).digest("hex").slice(0, 32);
}

type ParsedBody = { body: unknown; files: { field: string; filename: string; contentType: string; data: Buffer }[] };

/** JSON, or multipart/form-data (files plus `payload_json`) as @discordjs/rest sends uploads. */
async function parseBody(contentType: string, raw: Buffer): Promise<ParsedBody | "invalid"> {
  if (contentType.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    } catch {
      return "invalid";
    }
    const files: ParsedBody["files"] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") {
        if (field !== "payload_json") continue;
        try {
          body = JSON.parse(value);
        } catch {
          return "invalid";
        }
      } else files.push({ field, filename: value.name, contentType: value.type || "application/octet-stream", data: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    return "invalid";
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}
