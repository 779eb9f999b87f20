import { AlephError, channelStatusOf, type ChannelAdapter, type ChannelMessage, type ChannelReceipt, type ChannelState, type ChannelStatus, type Logger } from "@aleph/plugin-sdk";
// grammY's web build: one ES module on the platform's fetch. Its Node build is ~25 CommonJS files
// plus node-fetch, and an ES module importing CommonJS through a kernel whose loader hooks run can
// see grammY's exports before they are filled in (seen: "Api is not a constructor").
import { Api } from "grammy/web";
import { classifyApiError, type ApiFailure } from "./api-errors.js";
import { DEFAULT_BACKOFF, sleep as realSleep, type BackoffOptions, type Sleep } from "./backoff.js";
import { forGrammy } from "./grammy-signal.js";
import { chatIdParam, messageKey, parseMessageKey } from "./message-keys.js";
import { OffsetStore } from "./offset-store.js";
import { Poller, type PollerHost } from "./poller.js";
import { refusedFix, sendError } from "./send-errors.js";
import { settleWithin } from "./settle.js";
import { splitMessage } from "./split-text.js";
import { ThreadMemory } from "./thread-memory.js";
import type { BotIdentity } from "./inbound.js";

/*
 * The Telegram channel: a ChannelAdapter over the Bot API (grammY's Api client, no Bot: the
 * polling loop is our own, see poller.ts, because an update may count as handled only once
 * deliver() resolved — grammY's bot.start() confirms a batch when the next poll starts, whatever
 * became of its handlers, and runs a batch's handlers one after the other).
 *
 * Sending: plain text (no parse_mode: a model's `*` or `_` can never fail to parse), split at 4096
 * code points, the first part a reply to the message answered (allow_sending_without_reply, so a
 * deleted original does not lose the answer), in the same forum topic. A 429 is waited out
 * (retry_after) and the part sent again; anything else fails the send — a network error too, as
 * Telegram may have delivered the part already and a second copy is worse than an error.
 *
 * A request that has gone out is never aborted, by a stop or by the caller's signal: Telegram may
 * have delivered the message already, and a reply reported as cancelled would be sent again when
 * its message is delivered again after a restart — the person would read it twice. A signal (or a
 * stop) cuts a 429 wait and keeps further parts from going out; stop() gives the sends in flight
 * stopGraceMs to finish.
 */

export interface TelegramAdapterOptions {
  /** The interface name (default "telegram"). */
  name?: string;
  token: string;
  apiRoot: string;
  pollTimeoutSeconds: number;
  /** Where offset.json is kept (the plugin's data directory). */
  dataDir: string;
  log: Logger;
  /** Waits between retries (tests pass one that records the delays). */
  sleep?: Sleep;
  backoff?: BackoffOptions;
  /** Updates delivered and not yet finished, at most (default 100); polling waits for room beyond. */
  maxInFlight?: number;
  /** How long stop() waits for deliveries in flight to settle (default 3 s); the rest are delivered again by the next run. */
  stopGraceMs?: number;
}

/** A 429 is waited out at most this many times for one part, and only when Telegram asks for at most MAX_RETRY_AFTER_MS. */
const MAX_RATE_LIMIT_WAITS = 5;
const MAX_RETRY_AFTER_MS = 120_000;

export class TelegramAdapter implements ChannelAdapter, PollerHost {
  readonly name: string;
  readonly api: Api;
  readonly log: Logger;
  readonly sleep: Sleep;
  readonly backoff: BackoffOptions;
  readonly pollTimeoutSeconds: number;
  readonly maxInFlight: number;
  readonly stopGraceMs: number;
  readonly offsets: OffsetStore;
  readonly threads = new ThreadMemory();

  #state: ChannelState = "stopped";
  #error: string | undefined;
  #lastReceiveAt: number | undefined;
  #lastSendAt: number | undefined;
  #bot: BotIdentity | undefined;
  /** Set once Telegram refused the token: this adapter never calls it again (a config change makes a new one). */
  #refused: AlephError | undefined;
  #poller: Poller | undefined;
  /** Aborted by stop(): no new send or part starts, a 429 wait ends. */
  #sending = new AbortController();
  /** Sends in progress, which stop() lets finish (stopGraceMs at most). */
  readonly #sends = new Set<Promise<unknown>>();

  constructor(options: TelegramAdapterOptions) {
    this.name = options.name ?? "telegram";
    this.log = options.log;
    this.sleep = options.sleep ?? realSleep;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.pollTimeoutSeconds = options.pollTimeoutSeconds;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 100);
    this.stopGraceMs = options.stopGraceMs ?? 3000;
    // A long poll must not be cut by the client's own request timeout; a send is never that slow.
    this.api = new Api(options.token, { apiRoot: options.apiRoot, timeoutSeconds: options.pollTimeoutSeconds + 30 });
    this.offsets = new OffsetStore(options.dataDir, botIdOf(options.token), options.log);
  }

  async start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
    if (this.#refused) {
      this.#setState("failed", this.#refused.message);
      throw this.#refused;
    }
    if (this.#poller) throw new AlephError("ALEPH_E_CONFLICT", `the ${this.name} channel is running already`, { fix: "stop it before starting it again" });
    if (signal.aborted) return;
    if (this.#sending.signal.aborted) this.#sending = new AbortController();
    this.#setState("starting");
    const poller = new Poller(this, deliver);
    this.#poller = poller;
    signal.addEventListener("abort", () => void this.stop(), { once: true });
    void poller.done.then(() => {
      if (this.#poller === poller) this.#poller = undefined;
    });
    await poller.started;
  }

  /** Aborts the long poll in flight and resolves when the loop has exited (deliveries in flight get a moment to settle, see poller.ts). */
  async stop(): Promise<void> {
    this.#sending.abort();
    const poller = this.#poller;
    if (poller) {
      poller.abort();
      await poller.done;
      if (this.#poller === poller) this.#poller = undefined;
    }
    await settleWithin(this.#sends, this.stopGraceMs);
    if (this.#state !== "failed") this.#setState("stopped");
  }

  send(chatId: string, text: string, options: { replyTo?: string; signal?: AbortSignal } = {}): Promise<ChannelReceipt> {
    if (this.#refused) return Promise.reject(this.#refused);
    if (this.#sending.signal.aborted) {
      return Promise.reject(new AlephError("ALEPH_E_CANCELLED", `the ${this.name} channel is stopped: nothing is sent`, { fix: "start the channel (enabled = true in [interfaces.telegram])" }));
    }
    const sending = this.#send(chatId, text, options);
    this.#sends.add(sending);
    void sending.catch(() => undefined).finally(() => this.#sends.delete(sending));
    return sending;
  }

  async #send(chatId: string, text: string, options: { replyTo?: string; signal?: AbortSignal }): Promise<ChannelReceipt> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.#sending.signal]) : this.#sending.signal;
    let target = chatIdParam(chatId);
    const reply = options.replyTo === undefined ? undefined : parseMessageKey(options.replyTo);
    if (options.replyTo !== undefined && !reply) this.log.warn("not a Telegram message id to reply to; sending without the reply", { replyTo: options.replyTo });
    const threadId = options.replyTo === undefined ? undefined : this.threads.get(options.replyTo);
    const sent: string[] = [];
    for (const part of splitMessage(text)) {
      if (signal.aborted) throw cancelled(chatId, sent);
      const params = {
        ...(sent.length === 0 && reply
          ? { reply_parameters: { message_id: reply.messageId, allow_sending_without_reply: true, ...(reply.chatId !== undefined && reply.chatId !== String(target) ? { chat_id: chatIdParam(reply.chatId) } : {}) } }
          : {}),
        ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
      };
      const message = await this.#sendPart(target, part, params, signal, chatId, sent, (migrated) => (target = migrated));
      sent.push(messageKey(message.chat.id, message.message_id));
      this.#lastSendAt = Date.now();
    }
    if (sent.length === 0) this.log.debug("nothing to send: the text is blank", { chatId });
    return { messageIds: sent };
  }

  async typing(chatId: string): Promise<void> {
    if (this.#refused || this.#sending.signal.aborted) return;
    try {
      await this.api.sendChatAction(chatIdParam(chatId), "typing", undefined, forGrammy(this.#sending.signal));
    } catch (error) {
      // Best effort: a missing "typing…" is not worth a failure.
      const failure = classifyApiError(error, this.#sending.signal);
      if (failure.kind !== "aborted") this.log.debug("sendChatAction failed", { chatId, reason: failure.message });
    }
  }

  status(): Omit<ChannelStatus, "plugin" | "name"> {
    return channelStatusOf({ state: this.#state, lastReceiveAt: this.#lastReceiveAt, lastSendAt: this.#lastSendAt, error: this.#error, botName: this.#bot ? `@${this.#bot.username}` : undefined });
  }

  // --- PollerHost: what the polling loop reports ---------------------------------------------

  get bot(): BotIdentity | undefined {
    return this.#bot;
  }

  identified(bot: BotIdentity): void {
    this.#bot = bot;
  }

  polling(): void {
    this.#setState("running");
  }

  received(): void {
    this.#lastReceiveAt = Date.now();
    this.#setState("running");
  }

  retrying(reason: string): void {
    this.#setState("reconnecting", reason);
  }

  refused(failure: Extract<ApiFailure, { kind: "refused" }>): AlephError {
    this.#refused = new AlephError("ALEPH_E_TELEGRAM_AUTH", `Telegram refused the bot token (${failure.message}); the channel stays stopped until its config changes`, { fix: refusedFix(failure.code) });
    this.#setState("failed", this.#refused.message);
    this.log.error("Telegram refused the bot token: not retrying until [interfaces.telegram] changes", { reason: failure.message, fix: this.#refused.fix });
    return this.#refused;
  }

  #setState(state: ChannelState, error?: string): void {
    this.#state = state;
    this.#error = error;
  }

  async #sendPart(
    target: number | string,
    text: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    chatId: string,
    sent: readonly string[],
    migrate: (chat: number) => void,
  ): Promise<{ chat: { id: number }; message_id: number }> {
    let waits = 0;
    let migrated = false;
    for (;;) {
      try {
        // No signal: once out, the request is not abandoned (see the top of this file).
        return await this.api.sendMessage(target, text, params);
      } catch (error) {
        const failure = classifyApiError(error);
        if (failure.kind === "rate_limited" && waits < MAX_RATE_LIMIT_WAITS && failure.retryAfterMs <= MAX_RETRY_AFTER_MS) {
          waits++;
          this.log.info("Telegram asked to wait before sending", { chatId, retryAfterMs: failure.retryAfterMs });
          await this.sleep(failure.retryAfterMs, signal);
          if (signal.aborted) throw cancelled(chatId, sent);
          continue;
        }
        if (failure.kind === "rejected" && failure.migrateToChatId !== undefined && !migrated) {
          // The group became a supergroup with a new id: the message belongs there.
          migrated = true;
          this.log.info("the group became a supergroup; sending to its new chat id", { chatId, newChatId: failure.migrateToChatId });
          target = failure.migrateToChatId;
          migrate(target);
          continue;
        }
        if (failure.kind === "refused") this.refused(failure);
        if (failure.kind === "aborted") throw cancelled(chatId, sent);
        throw sendError(failure, chatId, sent);
      }
    }
  }
}

function cancelled(chatId: string, sent: readonly string[]): AlephError {
  const partly = sent.length > 0 ? ` after ${sent.length} part${sent.length === 1 ? "" : "s"} went out (${sent.join(", ")})` : "";
  return new AlephError("ALEPH_E_CANCELLED", `sending to Telegram chat ${chatId} was cancelled${partly}`, { fix: "nothing to do: the channel stopped or the turn was aborted" });
}

/** The bot's id is the token's prefix (`<bot id>:<secret>`), known without a call. */
function botIdOf(token: string): number {
  return Number(/^([0-9]+):/.exec(token)?.[1] ?? 0);
}
