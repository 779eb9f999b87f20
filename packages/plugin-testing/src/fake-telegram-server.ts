import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  badRequest,
  findEntities,
  messageText,
  TelegramApiError,
  type TelegramBotUser,
  type TelegramChat,
  type TelegramMessage,
  type TelegramMessageEntity,
  type TelegramResponseParameters,
  type TelegramUpdate,
  type TelegramUser,
} from "./fake-telegram-wire.js";

export type {
  TelegramBotUser,
  TelegramChat,
  TelegramChatType,
  TelegramMessage,
  TelegramMessageEntity,
  TelegramResponseParameters,
  TelegramUpdate,
  TelegramUser,
} from "./fake-telegram-wire.js";

export interface FakeTelegramOptions {
  /** The bot's token, `<bot id>:<secret>` (default: a random one). Requests with any other token get 401. */
  token?: string;
  /** What `getMe` says about the bot. `id` must match the token's prefix when both are given. */
  bot?: Partial<Omit<TelegramBotUser, "is_bot">>;
  /** The first update's `update_id` (default 10000); each further update gets the next number. */
  firstUpdateId?: number;
  /** Chats the bot can send to before anyone writes in them (a chat is also known once a user message arrives from it). */
  chats?: TelegramChat[];
  /**
   * How long a terminated long poll waits before it gets its 409 when another one was terminated
   * less than this long before (default 0). The real Bot API server answers at most one such 409
   * every 3 seconds and holds the others for 3 s; pass 3000 to test against that pacing.
   */
  conflictDelayMs?: number;
}

/** A message from a user, as `sendUserMessage` takes it. */
export interface FakeTelegramUserMessage {
  text: string;
  /** The sender (default: a user `{ id: 1001, first_name: "Ada", username: "ada_lovelace" }`). */
  from?: { id: number; first_name: string; last_name?: string; username?: string; language_code?: string; is_bot?: boolean };
  /** The chat (default: the private chat with the sender, whose id is the sender's id). */
  chat?: { id: number; type: "private" | "group" | "supergroup"; title?: string; username?: string; is_forum?: boolean };
  /** Answers this message of the same chat (the user's or one the bot sent); it must exist. */
  replyToMessageId?: number;
  /** The message's entities exactly (default: what Telegram finds — `@mentions`, `/commands`, `#hashtags`, URLs, …). */
  entities?: TelegramMessageEntity[];
  /** A forum topic of a supergroup with topics. */
  messageThreadId?: number;
  /** Unix time in seconds (default: now). */
  date?: number;
}

/** A request the server received, as it received it. */
export interface FakeTelegramRequest {
  /** The method as the URL spells it (`sendMessage`); Telegram matches method names case-insensitively. */
  method: string;
  /** Query, JSON body, form or multipart fields merged; values of a JSON body keep their JSON types, form and query values are strings (JSON-valued fields such as `reply_parameters` are decoded). */
  params: Record<string, unknown>;
  /** `Date.now()` when it arrived. */
  time: number;
  httpMethod: string;
  /** The HTTP status it was answered with; undefined while a long poll waits. */
  status?: number;
}

/** A message the bot sent, as it stands now (edits applied). */
export interface FakeTelegramSentMessage {
  chatId: number;
  messageId: number;
  /** The text as Telegram delivered it: parse mode applied, white space trimmed. The parameter as sent is `params.text`. */
  text: string;
  entities: TelegramMessageEntity[];
  /** The Message the API returned (the latest version after edits). */
  message: TelegramMessage;
  /** The `sendMessage` parameters. */
  params: Record<string, unknown>;
  /** How many `editMessageText` calls changed it. */
  edits: number;
}

export interface FakeTelegramChatAction {
  chatId: number;
  action: string;
  messageThreadId?: number;
  time: number;
}

/** An error to answer instead of running a method: the Bot API's `{ ok: false, error_code, description, parameters }`. */
export interface FakeTelegramFailure {
  error_code: number;
  /** Default: Telegram's wording for the code (`Too Many Requests: retry after 5`, `Internal Server Error`, …). */
  description?: string;
  /** Sent as `parameters.retry_after` and the `Retry-After` header. A 429 without it gets 5. */
  retry_after?: number;
  /** Sent as `parameters.migrate_to_chat_id` (a group upgraded to a supergroup). */
  migrate_to_chat_id?: number;
  /** How many calls in a row get it (default 1). */
  times?: number;
}

export interface FakeTelegramBotCommand {
  command: string;
  description: string;
}

/** Answers a method the fake does not implement (or replaces one it does): return the `result`; throw `{ error_code, description, parameters? }` to fail. */
export type FakeTelegramHandler = (params: Record<string, unknown>, request: FakeTelegramRequest) => unknown;

export interface FakeTelegramServer {
  /** `http://127.0.0.1:<port>`: grammY's `client.apiRoot`; requests go to `<apiRoot>/bot<token>/<method>`. */
  readonly apiRoot: string;
  readonly token: string;
  /** What `getMe` answers. */
  readonly bot: TelegramBotUser;
  /** Every request to `/bot…/…` received so far, in order (wrong tokens and unknown methods included). */
  readonly requests: readonly FakeTelegramRequest[];
  /** `<apiRoot>/bot<token>/<method>`. */
  methodUrl(method: string): string;
  /** Queues a `message` update from a user (and returns it), as if they had written in the chat. `update_id` is 0 if `allowed_updates` excludes messages: Telegram would not have created it. */
  sendUserMessage(message: FakeTelegramUserMessage): TelegramUpdate;
  /** Queues any update (`{ callback_query: … }`, `{ my_chat_member: … }`, …) with the next `update_id`, unless `allowed_updates` excludes its type (then `update_id` is 0). */
  pushUpdate(update: Omit<TelegramUpdate, "update_id">): TelegramUpdate;
  /** Makes a chat known, so the bot can send to it. */
  addChat(chat: TelegramChat): void;
  /** The messages the bot sent (all, or in one chat), oldest first. */
  sentMessages(chatId?: number): FakeTelegramSentMessage[];
  /** Waits for a sent (or edited) message that matches — one already there counts. Rejects after `timeoutMs` (default 5000). */
  waitForSent(predicate?: (message: FakeTelegramSentMessage) => boolean, timeoutMs?: number): Promise<FakeTelegramSentMessage>;
  /** Waits for a request of a method (case-insensitive) that matches — one already received counts. */
  waitForRequest(method: string, predicate?: (request: FakeTelegramRequest) => boolean, timeoutMs?: number): Promise<FakeTelegramRequest>;
  /** Waits until a `getUpdates` long poll is waiting. */
  waitForPoll(timeoutMs?: number): Promise<void>;
  /** The `sendChatAction` calls, in order. */
  chatActions(): FakeTelegramChatAction[];
  /** The commands `setMyCommands` stored for a scope (default `{ type: "default" }`) and language. */
  myCommands(scope?: Record<string, unknown>, languageCode?: string): FakeTelegramBotCommand[];
  /** The next call(s) of `method` (case-insensitive; `"*"` for any method) answer this error instead. */
  failNext(method: string, failure: FakeTelegramFailure): void;
  /** Answers `method` (case-insensitive) with a handler of your own. */
  handle(method: string, handler: FakeTelegramHandler): void;
  /** How many `getUpdates` requests are waiting for updates (0 or 1: a new long poll terminates the waiting one). */
  pendingPolls(): number;
  /** The updates not yet confirmed, oldest first. */
  queuedUpdates(): TelegramUpdate[];
  /** The highest `offset` a `getUpdates` call confirmed (0 before any): every update below it is gone. */
  confirmedOffset(): number;
  /** Answers a waiting long poll with `[]`, then closes the server and its connections. */
  close(): Promise<void>;
}

const CONFLICT_OTHER_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK_SET = "Conflict: terminated by setWebhook request";
const CONFLICT_WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** Update types a bot gets unless `allowed_updates` asks for them. */
const NOT_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);
const UPDATE_TYPES = new Set([
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "business_connection",
  "business_message",
  "edited_business_message",
  "deleted_business_messages",
  "message_reaction",
  "message_reaction_count",
  "inline_query",
  "chosen_inline_result",
  "callback_query",
  "shipping_query",
  "pre_checkout_query",
  "purchased_paid_media",
  "poll",
  "poll_answer",
  "my_chat_member",
  "chat_member",
  "chat_join_request",
  "chat_boost",
  "removed_chat_boost",
]);
const CHAT_ACTIONS = new Set([
  "cancel",
  "typing",
  "record_video",
  "upload_video",
  "record_audio",
  "record_voice",
  "upload_audio",
  "upload_voice",
  "upload_photo",
  "upload_document",
  "choose_sticker",
  "pick_up_location",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
/** Fields whose form or query value is JSON text. */
const JSON_FIELDS = new Set(["reply_parameters", "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope", "link_preview_options", "media", "results", "options"]);
const LONG_POLL_MAX_TIMEOUT = 50;
/** An offset this far past the next update_id is "in the future": Telegram then answers from the head of the queue. */
const OFFSET_FUTURE_SLACK = 10;

interface LongPoll {
  record: FakeTelegramRequest;
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

type Answer = { result: unknown; description?: string };

/**
 * Starts a fake Telegram Bot API server on 127.0.0.1 (a free port) for one bot, so a Telegram client
 * (grammY with `client: { apiRoot: server.apiRoot }`, or any other) can be tested end to end
 * offline. It speaks the Bot API at its real routes (`/bot<token>/<method>`, GET query or POST JSON,
 * form or multipart) with its real answers (`{ ok, result }` / `{ ok: false, error_code,
 * description, parameters }`) and implements, as the Bot API server does: `getMe`, `getUpdates`
 * (offset confirmation, limit, long polling, `allowed_updates`, one poller per token: a new long
 * poll terminates the waiting one with 409), `sendMessage` (parse modes, entities, replies, 4096
 * code points), `editMessageText`, `sendChatAction`, `setMyCommands` / `getMyCommands` /
 * `deleteMyCommands`, `setWebhook` / `deleteWebhook` / `getWebhookInfo` (a webhook is stored, not
 * called). Other methods answer 404 like unknown ones; `handle()` adds them.
 *
 * ```ts
 * const telegram = await startFakeTelegramServer();
 * const bot = new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
 * bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
 * void bot.start();
 * telegram.sendUserMessage({ text: "hi" });
 * expect((await telegram.waitForSent()).text).toBe("echo: hi");
 * await bot.stop();
 * await telegram.close();
 * ```
 */
export async function startFakeTelegramServer(options: FakeTelegramOptions = {}): Promise<FakeTelegramServer> {
  const token = options.token ?? `${options.bot?.id ?? 7_000_000_000 + Math.floor(Math.random() * 1_000_000)}:AA${randomBytes(24).toString("base64url")}`;
  const tokenId = Number(/^([0-9]+):/.exec(token)?.[1]);
  if (!Number.isSafeInteger(tokenId) || tokenId <= 0) throw new TypeError(`startFakeTelegramServer: a bot token is "<bot id>:<secret>", not "${token}"`);
  if (options.bot?.id !== undefined && options.bot.id !== tokenId) throw new TypeError(`startFakeTelegramServer: bot.id ${options.bot.id} is not the token's bot id ${tokenId}`);
  const bot: TelegramBotUser = {
    id: tokenId,
    is_bot: true,
    first_name: "Aleph Test Bot",
    username: "aleph_test_bot",
    can_join_groups: true,
    can_read_all_group_messages: true, // the fake delivers every group message: privacy mode off
    supports_inline_queries: false,
    supports_guest_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    ...options.bot,
  };
  const botAsSender: TelegramUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  const conflictDelayMs = options.conflictDelayMs ?? 0;

  const requests: FakeTelegramRequest[] = [];
  const chats = new Map<number, TelegramChat>();
  const users = new Map<number, TelegramUser>([[bot.id, botAsSender]]);
  const messages = new Map<number, Map<number, TelegramMessage>>();
  const lastMessageId = new Map<number, number>();
  const sent: FakeTelegramSentMessage[] = [];
  const actions: FakeTelegramChatAction[] = [];
  const commands = new Map<string, FakeTelegramBotCommand[]>();
  const failures = new Map<string, FakeTelegramFailure[]>();
  const handlers = new Map<string, FakeTelegramHandler>();
  let queue: TelegramUpdate[] = [];
  let nextUpdateId = options.firstUpdateId ?? 10_000;
  let confirmed = 0;
  let allowedUpdates: Set<string> | "default" = "default";
  let webhook: { url: string; secret_token?: string; max_connections?: number } | undefined;
  let longPoll: LongPoll | undefined;
  let nextConflictAt = 0;
  let closed = false;
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  for (const chat of options.chats ?? []) chats.set(chat.id, { ...chat });

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(`fake Telegram server failed: ${String(error)}`);
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    const route = /^\/bot([^/]*)\/([^/]*)$/.exec(url.pathname);
    if (!route) return void reply(res, undefined, 404, { ok: false, error_code: 404, description: "Not Found" });

    const method = decodePathPart(route[2]!);
    let params: Record<string, unknown>;
    try {
      params = readParams(url.searchParams, req.headers["content-type"] ?? "", raw);
    } catch (error) {
      return void reply(res, undefined, 400, { ok: false, error_code: 400, description: `Bad Request: ${error instanceof Error ? error.message : String(error)}` });
    }
    const record: FakeTelegramRequest = { method, params, time: Date.now(), httpMethod: req.method ?? "GET" };
    requests.push(record);
    notify();

    if (decodePathPart(route[1]!) !== token) return answerError(res, record, new TelegramApiError(401, "Unauthorized"));
    const key = method.toLowerCase();
    const failure = takeFailure(key);
    if (failure) return answerError(res, record, failure);
    try {
      const handler = handlers.get(key);
      if (handler) return answerOk(res, record, { result: await handler(params, record) });
      if (key === "getupdates") return getUpdates(res, record, params);
      const builtin = METHODS[key];
      if (!builtin) throw new TelegramApiError(404, "Not Found");
      answerOk(res, record, builtin(params));
    } catch (error) {
      answerError(res, record, toApiError(error));
    }
  }

  function reply(res: ServerResponse, record: FakeTelegramRequest | undefined, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (record) record.status = status;
    if (!res.writableEnded && !res.destroyed) res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    notify();
  }

  function answerOk(res: ServerResponse, record: FakeTelegramRequest, answer: Answer): void {
    reply(res, record, 200, answer.description === undefined ? { ok: true, result: answer.result } : { ok: true, result: answer.result, description: answer.description });
  }

  function answerError(res: ServerResponse, record: FakeTelegramRequest, error: TelegramApiError): void {
    const body = { ok: false, error_code: error.errorCode, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) };
    const retryAfter = error.parameters?.retry_after;
    reply(res, record, error.errorCode, body, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) });
  }

  function takeFailure(key: string): TelegramApiError | undefined {
    for (const name of [key, "*"]) {
      const list = failures.get(name);
      const next = list?.[0];
      if (!list || !next) continue;
      next.times = (next.times ?? 1) - 1;
      if (next.times <= 0) list.shift();
      return failureError(next);
    }
    return undefined;
  }

  // --- getUpdates -------------------------------------------------------------------------------

  function getUpdates(res: ServerResponse, record: FakeTelegramRequest, params: Record<string, unknown>): void {
    if (webhook) throw new TelegramApiError(409, CONFLICT_WEBHOOK_ACTIVE);
    const requested = intParam(params, "offset", 0, -(2 ** 31), 2 ** 31 - 1);
    const limit = intParam(params, "limit", 100, 1, 100);
    const timeout = intParam(params, "timeout", 0, 0, LONG_POLL_MAX_TIMEOUT);
    updateAllowedUpdates(params);
    const offset = confirm(requested);
    const updates = take(offset, limit);
    if (timeout === 0 || updates.length > 0) return answerOk(res, record, { result: updates });

    // Nothing to send: wait, and terminate the long poll that was waiting.
    abortLongPoll(CONFLICT_OTHER_POLL);
    const poll: LongPoll = { record, res, offset, limit, timer: setTimeout(() => finishLongPoll(poll), timeout * 1000) };
    longPoll = poll;
    res.once("close", () => {
      // The client gave up (aborted its request): the poll no longer waits.
      if (longPoll === poll) {
        clearTimeout(poll.timer);
        longPoll = undefined;
        notify();
      }
    });
    notify();
  }

  /** Applies a getUpdates offset as Telegram does and returns the offset to read from. */
  function confirm(requested: number): number {
    const head = () => queue[0]?.update_id ?? nextUpdateId;
    let offset = requested;
    if (offset < 0) {
      // Keep the last -offset updates, forget the rest.
      queue = queue.slice(Math.max(0, queue.length + offset));
      confirmed = Math.max(confirmed, head());
      offset = 0;
    }
    if (offset === 0) return head();
    if (offset > nextUpdateId + OFFSET_FUTURE_SLACK) return head(); // "Specified from_id is in the future": read from the head, forget nothing
    queue = queue.filter((update) => update.update_id >= offset);
    confirmed = Math.max(confirmed, offset);
    return offset;
  }

  function take(offset: number, limit: number): TelegramUpdate[] {
    return queue.filter((update) => update.update_id >= offset).slice(0, limit);
  }

  function finishLongPoll(poll: LongPoll): void {
    if (longPoll !== poll) return;
    clearTimeout(poll.timer);
    longPoll = undefined;
    answerOk(poll.res, poll.record, { result: take(poll.offset, poll.limit) });
  }

  function wakeLongPoll(): void {
    const poll = longPoll;
    if (!poll) return;
    // Like the Bot API server, wait a moment so updates queued together go out together.
    setImmediate(() => {
      if (longPoll === poll && take(poll.offset, poll.limit).length > 0) finishLongPoll(poll);
    });
  }

  function abortLongPoll(description: string): void {
    const poll = longPoll;
    if (!poll) return;
    clearTimeout(poll.timer);
    longPoll = undefined;
    const fail = () => answerError(poll.res, poll.record, new TelegramApiError(409, description));
    const now = Date.now();
    if (conflictDelayMs <= 0 || now >= nextConflictAt) {
      nextConflictAt = now + conflictDelayMs;
      fail();
    } else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fail();
      }, conflictDelayMs);
      timers.add(timer);
    }
  }

  function updateAllowedUpdates(params: Record<string, unknown>): void {
    let value = params.allowed_updates;
    if (value === undefined || value === null || value === "") return;
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        return;
      }
    }
    if (!Array.isArray(value) || value.some((name) => typeof name !== "string")) return;
    const names = new Set((value as string[]).map((name) => name.toLowerCase()).filter((name) => UPDATE_TYPES.has(name)));
    allowedUpdates = names.size === 0 ? "default" : names;
  }

  function isAllowed(type: string): boolean {
    return allowedUpdates === "default" ? !NOT_BY_DEFAULT.has(type) : allowedUpdates.has(type);
  }

  function queueUpdate(update: Omit<TelegramUpdate, "update_id">): TelegramUpdate {
    const type = Object.keys(update).find((key) => key !== "update_id");
    if (type === undefined) throw new TypeError("fake Telegram server: an update has one field besides update_id (message, callback_query, …)");
    if (!isAllowed(type)) return { ...update, update_id: 0 };
    const queued: TelegramUpdate = { update_id: nextUpdateId++, ...update };
    queue.push(queued);
    wakeLongPoll();
    notify();
    return queued;
  }

  // --- chats and messages ------------------------------------------------------------------------

  function resolveChat(params: Record<string, unknown>, name = "chat_id"): TelegramChat {
    const value = strParam(params, name);
    if (value === undefined || value === "") throw badRequest(`${name} is empty`);
    if (value.startsWith("@")) {
      const username = value.slice(1).toLowerCase();
      const chat = [...chats.values()].find((candidate) => candidate.username?.toLowerCase() === username);
      if (!chat) throw badRequest("chat not found");
      return chat;
    }
    const chat = chats.get(toInteger(value));
    if (!chat) throw badRequest("chat not found");
    return chat;
  }

  function storeMessage(message: TelegramMessage): void {
    let inChat = messages.get(message.chat.id);
    if (!inChat) messages.set(message.chat.id, (inChat = new Map()));
    inChat.set(message.message_id, message);
  }

  function nextMessageId(chatId: number): number {
    const id = (lastMessageId.get(chatId) ?? 0) + 1;
    lastMessageId.set(chatId, id);
    return id;
  }

  /** A message as `reply_to_message` carries it: without a reply of its own. */
  function asReplied(message: TelegramMessage): TelegramMessage {
    const { reply_to_message: _, ...rest } = message;
    return rest;
  }

  function replyTarget(params: Record<string, unknown>, chat: TelegramChat): TelegramMessage | undefined {
    let messageId: number;
    let allowWithout: boolean;
    let targetChat = chat;
    if (params.reply_parameters !== undefined) {
      const value = jsonParam(params, "reply_parameters");
      if (value === undefined) return undefined;
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest("object expected as reply parameters");
      const fields = value as Record<string, unknown>;
      if (Object.keys(fields).length === 0) return undefined;
      if (fields.message_id === undefined) throw badRequest(`can't parse reply parameters: Can't find field "message_id"`);
      messageId = toInteger(String(fields.message_id));
      allowWithout = fields.allow_sending_without_reply === true || fields.allow_sending_without_reply === "true";
      if (fields.chat_id !== undefined && fields.chat_id !== null && fields.chat_id !== "") targetChat = resolveChat({ chat_id: fields.chat_id });
    } else {
      messageId = intParam(params, "reply_to_message_id", 0, 0, 2 ** 31 - 1);
      allowWithout = boolParam(params, "allow_sending_without_reply");
      if (messageId === 0) return undefined;
    }
    const target = messages.get(targetChat.id)?.get(messageId);
    if (target) return asReplied(target);
    if (allowWithout) return undefined;
    throw badRequest("message to be replied not found");
  }

  function findUser(id: number): TelegramUser | undefined {
    return users.get(id);
  }

  const METHODS: Record<string, (params: Record<string, unknown>) => Answer> = {
    getme: () => ({ result: bot }),

    sendmessage: (params) => {
      const formatted = messageText(strParam(params, "text"), strParam(params, "parse_mode"), params.entities, findUser);
      const chat = resolveChat(params);
      const replyTo = replyTarget(params, chat);
      const threadId = intParam(params, "message_thread_id", 0, 0, 2 ** 31 - 1);
      const markup = inlineKeyboard(params);
      const message: TelegramMessage = {
        message_id: nextMessageId(chat.id),
        from: botAsSender,
        chat: { ...chat },
        date: unixNow(),
        ...(threadId > 0 ? { message_thread_id: threadId, ...(chat.is_forum ? { is_topic_message: true as const } : {}) } : {}),
        ...(replyTo ? { reply_to_message: replyTo } : {}),
        text: formatted.text,
        ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      };
      storeMessage(message);
      sent.push({ chatId: chat.id, messageId: message.message_id, text: formatted.text, entities: formatted.entities, message, params, edits: 0 });
      notify();
      return { result: message };
    },

    editmessagetext: (params) => {
      const formatted = messageText(strParam(params, "text"), strParam(params, "parse_mode"), params.entities, findUser);
      if (strParam(params, "inline_message_id")) throw badRequest("the fake Telegram server has no inline messages");
      const chat = resolveChat(params);
      const messageId = intParam(params, "message_id", 0, 0, 2 ** 31 - 1);
      const message = messages.get(chat.id)?.get(messageId);
      if (!message) throw badRequest("message to edit not found");
      if (message.from?.id !== bot.id) throw badRequest("message can't be edited");
      const markup = inlineKeyboard(params);
      if (message.text === formatted.text && sameEntities(message.entities ?? [], formatted.entities) && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      const edited: TelegramMessage = { ...message, edit_date: unixNow(), text: formatted.text };
      if (formatted.entities.length > 0) edited.entities = formatted.entities;
      else delete edited.entities;
      if (markup) edited.reply_markup = markup;
      else delete edited.reply_markup;
      storeMessage(edited);
      const record = sent.find((candidate) => candidate.chatId === chat.id && candidate.messageId === messageId);
      if (record) Object.assign(record, { text: formatted.text, entities: formatted.entities, message: edited, edits: record.edits + 1 });
      notify();
      return { result: edited };
    },

    sendchataction: (params) => {
      const action = (strParam(params, "action") ?? "").toLowerCase();
      if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
      const chat = resolveChat(params);
      const threadId = intParam(params, "message_thread_id", 0, 0, 2 ** 31 - 1);
      actions.push({ chatId: chat.id, action, ...(threadId > 0 ? { messageThreadId: threadId } : {}), time: Date.now() });
      return { result: true };
    },

    setmycommands: (params) => {
      const list = botCommands(params);
      const key = commandsKey(params);
      if (list.length === 0) commands.delete(key);
      else commands.set(key, list);
      return { result: true };
    },
    getmycommands: (params) => ({ result: commands.get(commandsKey(params)) ?? [] }),
    deletemycommands: (params) => {
      commands.delete(commandsKey(params));
      return { result: true };
    },

    setwebhook: (params) => setWebhook(params, strParam(params, "url") ?? ""),
    deletewebhook: (params) => setWebhook(params, ""),
    getwebhookinfo: () => ({
      result: {
        url: webhook?.url ?? "",
        has_custom_certificate: false,
        pending_update_count: queue.length,
        ...(webhook?.max_connections ? { max_connections: webhook.max_connections } : {}),
        ...(allowedUpdates === "default" ? {} : { allowed_updates: [...allowedUpdates] }),
      },
    }),
  };

  function setWebhook(params: Record<string, unknown>, url: string): Answer {
    const drop = boolParam(params, "drop_pending_updates");
    if (drop) queue = [];
    if (url === "") {
      const had = webhook !== undefined;
      webhook = undefined;
      return { result: true, description: had || drop ? "Webhook was deleted" : "Webhook is already deleted" };
    }
    updateAllowedUpdates(params);
    const same = webhook?.url === url;
    abortLongPoll(CONFLICT_WEBHOOK_SET);
    const secret = strParam(params, "secret_token");
    const maxConnections = intParam(params, "max_connections", 40, 1, 100);
    webhook = { url, max_connections: maxConnections, ...(secret ? { secret_token: secret } : {}) };
    return { result: true, description: same && !drop ? "Webhook is already set" : "Webhook was set" };
  }

  function botCommands(params: Record<string, unknown>): FakeTelegramBotCommand[] {
    languageCode(params);
    const value = jsonParam(params, "commands");
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw badRequest("expected an Array of BotCommand");
    const list: FakeTelegramBotCommand[] = [];
    for (const item of value) {
      if (typeof item !== "object" || item === null || Array.isArray(item)) throw badRequest("can't parse BotCommand: expected an Object");
      const fields = item as Record<string, unknown>;
      for (const field of ["command", "description"]) {
        if (typeof fields[field] !== "string") throw badRequest(`can't parse BotCommand: Can't find field "${field}"`);
      }
      let command = (fields.command as string).trim();
      if (command.startsWith("/")) command = command.slice(1);
      const description = (fields.description as string).trim();
      if (command === "") throw badRequest("command must be non-empty");
      if ([...command].length > 32) throw badRequest("command length must not exceed 32");
      if (description === "") throw badRequest("command description must be non-empty");
      if ([...description].length > 256) throw badRequest("command description length must not exceed 256");
      if (!/^[a-z0-9_]+$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
      list.push({ command, description });
    }
    if (list.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
    return list;
  }

  function languageCode(params: Record<string, unknown>): string {
    const code = strParam(params, "language_code") ?? "";
    if (code !== "" && !/^[a-z]{2}$/.test(code)) throw badRequest("invalid language code specified");
    return code;
  }

  function commandsKey(params: Record<string, unknown>): string {
    return JSON.stringify([scopeKey(jsonParam(params, "scope")), languageCode(params)]);
  }

  const api: FakeTelegramServer = {
    apiRoot: "",
    token,
    bot,
    requests,
    methodUrl: (method) => `${api.apiRoot}/bot${token}/${method}`,

    sendUserMessage(input) {
      const from: TelegramUser = { is_bot: false, ...(input.from ?? { id: 1001, first_name: "Ada", username: "ada_lovelace" }) };
      users.set(from.id, from);
      const given = input.chat ?? { id: from.id, type: "private" as const };
      if (given.type === "private" && given.id !== from.id) {
        throw new TypeError(`sendUserMessage: a private chat's id is its user's id (${from.id}), not ${given.id}`);
      }
      const chat: TelegramChat =
        given.type === "private"
          ? { id: from.id, type: "private", first_name: from.first_name, ...(from.last_name ? { last_name: from.last_name } : {}), ...(from.username ? { username: from.username } : {}) }
          : {
              ...chats.get(given.id),
              id: given.id,
              type: given.type,
              title: given.title ?? chats.get(given.id)?.title ?? "Test group",
              ...(given.username ? { username: given.username } : {}),
              ...(given.is_forum ? { is_forum: true as const } : {}),
            };
      chats.set(chat.id, chat);
      let replyTo: TelegramMessage | undefined;
      if (input.replyToMessageId !== undefined) {
        const target = messages.get(chat.id)?.get(input.replyToMessageId);
        if (!target) throw new TypeError(`sendUserMessage: chat ${chat.id} has no message ${input.replyToMessageId} to reply to`);
        replyTo = asReplied(target);
      }
      const entities = input.entities ?? findEntities(input.text);
      const message: TelegramMessage = {
        message_id: nextMessageId(chat.id),
        from,
        chat,
        date: input.date ?? unixNow(),
        ...(input.messageThreadId !== undefined ? { message_thread_id: input.messageThreadId, ...(chat.is_forum ? { is_topic_message: true as const } : {}) } : {}),
        ...(replyTo ? { reply_to_message: replyTo } : {}),
        text: input.text,
        ...(entities.length > 0 ? { entities } : {}),
      };
      storeMessage(message);
      return queueUpdate({ message });
    },

    pushUpdate: (update) => queueUpdate(update),

    addChat(chat) {
      chats.set(chat.id, { ...chat });
    },

    sentMessages: (chatId) => sent.filter((message) => chatId === undefined || message.chatId === chatId),

    waitForSent(predicate = () => true, timeoutMs = 5000) {
      return waitUntil(() => sent.find(predicate), timeoutMs, () => `no sent message matched in ${timeoutMs} ms; sent: ${JSON.stringify(sent.map((m) => [m.chatId, m.text]))}`);
    },

    waitForRequest(method, predicate = () => true, timeoutMs = 5000) {
      const key = method.toLowerCase();
      return waitUntil(
        () => requests.find((request) => request.method.toLowerCase() === key && predicate(request)),
        timeoutMs,
        () => `no ${method} request matched in ${timeoutMs} ms; received: ${requests.map((r) => r.method).join(", ") || "nothing"}`,
      );
    },

    async waitForPoll(timeoutMs = 5000) {
      await waitUntil(() => (longPoll ? true : undefined), timeoutMs, () => `no getUpdates long poll was waiting after ${timeoutMs} ms`);
    },

    chatActions: () => [...actions],

    myCommands: (scope, language = "") => commands.get(JSON.stringify([scopeKey(scope), language])) ?? [],

    failNext(method, failure) {
      const key = method.toLowerCase();
      const list = failures.get(key) ?? [];
      list.push({ ...failure });
      failures.set(key, list);
    },

    handle(method, handler) {
      handlers.set(method.toLowerCase(), handler);
    },

    pendingPolls: () => (longPoll ? 1 : 0),
    queuedUpdates: () => [...queue],
    confirmedOffset: () => confirmed,

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      const poll = longPoll;
      if (poll) {
        // The waiting long poll gets its answer before the connections drop.
        const flushed = new Promise<void>((resolve) => {
          poll.res.once("finish", resolve);
          poll.res.once("close", resolve);
        });
        finishLongPoll(poll);
        await flushed;
      }
      notify();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };

  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, explain: () => string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const listener = () => {
        if (closed) {
          done();
          reject(new Error(`fake Telegram server closed while waiting: ${explain()}`));
          return;
        }
        const value = find();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake Telegram server: ${explain()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  (api as { apiRoot: string }).apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function failureError(failure: FakeTelegramFailure): TelegramApiError {
  const code = failure.error_code;
  const retryAfter = failure.retry_after ?? (code === 429 ? 5 : undefined);
  const parameters: TelegramResponseParameters = {
    ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}),
    ...(failure.migrate_to_chat_id !== undefined ? { migrate_to_chat_id: failure.migrate_to_chat_id } : {}),
  };
  const description = failure.description ?? defaultDescription(code, retryAfter, failure.migrate_to_chat_id !== undefined);
  return new TelegramApiError(code, description, Object.keys(parameters).length > 0 ? parameters : undefined);
}

function defaultDescription(code: number, retryAfter: number | undefined, migrated: boolean): string {
  switch (code) {
    case 400:
      return migrated ? "Bad Request: group chat was upgraded to a supergroup chat" : "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden: bot was blocked by the user";
    case 404:
      return "Not Found";
    case 409:
      return CONFLICT_OTHER_POLL;
    case 429:
      return `Too Many Requests: retry after ${retryAfter ?? 5}`;
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    default:
      return `Error ${code}`;
  }
}

function toApiError(error: unknown): TelegramApiError {
  if (error instanceof TelegramApiError) return error;
  if (typeof error === "object" && error !== null && typeof (error as { error_code?: unknown }).error_code === "number") {
    const thrown = error as { error_code: number; description?: unknown; parameters?: TelegramResponseParameters };
    return new TelegramApiError(thrown.error_code, typeof thrown.description === "string" ? thrown.description : defaultDescription(thrown.error_code, undefined, false), thrown.parameters);
  }
  return new TelegramApiError(500, `Internal Server Error: fake Telegram server failed: ${error instanceof Error ? error.message : String(error)}`);
}

function inlineKeyboard(params: Record<string, unknown>): unknown {
  const markup = jsonParam(params, "reply_markup");
  // Only an inline keyboard stays on the message; the other keyboards are the chat's.
  return typeof markup === "object" && markup !== null && "inline_keyboard" in markup ? markup : undefined;
}

function sameEntities(a: TelegramMessageEntity[], b: TelegramMessageEntity[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function scopeKey(scope: unknown): string {
  if (scope === undefined || scope === null || scope === "") return "default";
  if (typeof scope !== "object" || Array.isArray(scope)) throw badRequest("can't parse BotCommandScope: BotCommandScope must be an Object");
  const fields = scope as Record<string, unknown>;
  const type = fields.type;
  if (typeof type !== "string") throw badRequest(`can't parse BotCommandScope: Can't find field "type"`);
  if (["default", "all_private_chats", "all_group_chats", "all_chat_administrators"].includes(type)) return type;
  if (!["chat", "chat_administrators", "chat_member"].includes(type)) throw badRequest("can't parse BotCommandScope: Unsupported type specified");
  const chatId = fields.chat_id;
  if (chatId === undefined || chatId === null || chatId === "") throw badRequest("can't parse BotCommandScope: Empty chat_id specified");
  return type === "chat_member" ? `${type}:${String(chatId)}:${String(fields.user_id)}` : `${type}:${String(chatId)}`;
}

const unixNow = () => Math.floor(Date.now() / 1000);

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A parameter as the Bot API reads it: text (objects as their JSON). */
function strParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An integer parameter as the Bot API reads one: missing → the default, text → its leading integer (else 0), clamped. */
function intParam(params: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const text = strParam(params, name);
  const value = text === undefined || text === "" ? fallback : toInteger(text);
  return Math.min(max, Math.max(min, value));
}

function toInteger(text: string): number {
  const match = /^\s*([+-]?[0-9]+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

function boolParam(params: Record<string, unknown>, name: string): boolean {
  const text = (strParam(params, name) ?? "").toLowerCase();
  return text === "true" || text === "yes" || text === "1";
}

function jsonParam(params: Record<string, unknown>, name: string): unknown {
  const value = params[name];
  if (typeof value !== "string") return value ?? undefined;
  if (value === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

/** Query, then body fields: JSON, form-urlencoded or multipart/form-data (files recorded as `{ filename, contentType, size }`). */
function readParams(query: URLSearchParams, contentType: string, raw: Buffer): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const setText = (name: string, value: string) => {
    params[name] = JSON_FIELDS.has(name) ? decodeJsonField(value) : value;
  };
  for (const [name, value] of query) setText(name, value);
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (raw.length === 0) return params;
  if (type === "application/json") {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new Error("can't parse JSON object");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("JSON object expected as the request body");
    Object.assign(params, body);
  } else if (type === "application/x-www-form-urlencoded") {
    for (const [name, value] of new URLSearchParams(raw.toString("utf8"))) setText(name, value);
  } else if (type === "multipart/form-data") {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (!boundary) throw new Error("multipart/form-data without a boundary");
    for (const part of multipartParts(raw, boundary[1] ?? boundary[2]!.trim())) {
      if (part.filename === undefined) setText(part.name, part.data.toString("utf8"));
      else params[part.name] = { filename: part.filename, contentType: part.contentType, size: part.data.length };
    }
  }
  return params;
}

function decodeJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function multipartParts(raw: Buffer, boundary: string): { name: string; filename?: string; contentType?: string; data: Buffer }[] {
  const parts: { name: string; filename?: string; contentType?: string; data: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const headerStart = start + delimiter.length;
    if (raw.subarray(headerStart, headerStart + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, headerStart);
    if (next === -1) break;
    const section = raw.subarray(headerStart + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const split = section.indexOf("\r\n\r\n");
    if (split !== -1) {
      const headers = section.subarray(0, split).toString("utf8");
      const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? "";
      const name = /name="?([^";\r\n]+)"?/i.exec(disposition.replace(/filename=[^;\r\n]*/i, ""))?.[1];
      const filename = /filename="?([^";\r\n]+)"?/i.exec(disposition)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (name) parts.push({ name, data: section.subarray(split + 4), ...(filename !== undefined ? { filename } : {}), ...(contentType !== undefined ? { contentType } : {}) });
    }
    start = next;
  }
  return parts;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

