import type { AlephError, ChannelMessage, Logger } from "@aleph/plugin-sdk";
import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { classifyApiError, type ApiFailure } from "./api-errors.js";
import { Backoff, type BackoffOptions, type Sleep } from "./backoff.js";
import { forGrammy } from "./grammy-signal.js";
import { toChannelMessage, type BotIdentity } from "./inbound.js";
import { settleWithin } from "./settle.js";
import type { OffsetStore } from "./offset-store.js";
import type { ThreadMemory } from "./thread-memory.js";

/*
 * One run of the long-polling loop (one start() to its stop()):
 *
 *   getMe → read offset.json → deliver what is pending there again →
 *   loop { write offset.json → getUpdates(offset, timeout) → note the updates as pending, offset
 *          past them → deliver each (not awaited) }
 *   and whenever a delivery resolves: the update leaves `pending` (offset.json is written again).
 *
 * - Acknowledge after deliver: an update is done only when deliver() resolved for it. Until then
 *   it is pending in offset.json — written before the poll whose offset makes Telegram forget it —
 *   so a restart or a reload delivers it again (the registry answers each messageId once). A
 *   deliver that throws leaves it pending: it is delivered again after a backoff (1 s, doubling,
 *   30 s at most); the registry gives up on a message itself after a few attempts.
 * - Deliveries run alongside the polling, not one after the other: the registry answers one
 *   message per conversation at a time, and a `/stop` must arrive while the turn it stops is
 *   still running. At most `maxInFlight` updates are pending; polling waits for room beyond that.
 * - Exactly one poller per token: a stop aborts the long poll in flight, gives the deliveries in
 *   flight a moment to settle (the registry cancels its turns when it stops a channel, so they
 *   settle at once; one that resolves now is acknowledged, so a reply that went out is not sent
 *   again after a restart), and `done` resolves once the loop and its last write of offset.json
 *   are over — the next run's first poll and first write come after. What has not settled by
 *   then stays pending and is delivered again by the next run. Telegram ends a poll displaced
 *   by another one with 409 Conflict: someone else polls this token (another kernel, another
 *   program); retried with a growing delay, never in a tight loop. A 409 because a webhook is set
 *   is answered by deleting the webhook, once (long polling and webhooks exclude each other;
 *   grammY's own bot.start() does the same).
 * - Network and server errors: backoff 1 s → 30 s, state reconnecting. 429: retry_after.
 *   401/404 (the token): failed, and no further call until the config changes.
 */

export interface PollerHost {
  readonly name: string;
  readonly api: Api;
  readonly log: Logger;
  readonly sleep: Sleep;
  readonly backoff: BackoffOptions;
  readonly pollTimeoutSeconds: number;
  readonly maxInFlight: number;
  /** How long a stop waits for deliveries in flight to settle. */
  readonly stopGraceMs: number;
  readonly offsets: OffsetStore;
  readonly threads: ThreadMemory;
  readonly bot: BotIdentity | undefined;
  identified(bot: BotIdentity): void;
  /** Telegram knows the bot and the first poll goes out: receiving runs. */
  polling(): void;
  /** A getUpdates call answered (the liveness signal). */
  received(): void;
  retrying(reason: string): void;
  refused(failure: Extract<ApiFailure, { kind: "refused" }>): AlephError;
}

interface Pending {
  update: Update;
  /** Deliveries that threw so far. */
  failures: number;
}

/** Telegram's most updates per getUpdates. */
const MAX_BATCH = 100;

export class Poller {
  readonly #controller = new AbortController();
  /** Between failed polls; reset by a poll that answers. */
  readonly #backoff: Backoff;
  #offset = 0;
  readonly #pending = new Map<number, Pending>();
  /** Bumped by every change of offset or pending; `#written` is the last one on disk. */
  #version = 0;
  #written = 0;
  #writes: Promise<boolean> = Promise.resolve(true);
  #room: (() => void) | undefined;
  /** Deliveries not settled yet (a stop gives them stopGraceMs). */
  readonly #delivering = new Set<Promise<void>>();
  /** Set once `done` resolved: offset.json belongs to the next run, nothing is written any more. */
  #closed = false;
  #startedSettled = false;
  #resolveStarted!: () => void;
  #rejectStarted!: (error: Error) => void;
  /** Settles once receiving runs (identified), or the first failure is being retried, or it failed for good. */
  readonly started: Promise<void>;
  /** Resolves when the loop has exited and offset.json is written for the last time; never rejects. */
  readonly done: Promise<void>;

  constructor(
    private readonly host: PollerHost,
    private readonly deliver: (message: ChannelMessage) => Promise<void>,
  ) {
    this.#backoff = new Backoff(host.backoff);
    this.started = new Promise<void>((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    this.done = this.#run()
      .catch((error: unknown) => {
        // A bug, not a Telegram failure: the channel must say so rather than hang in "running".
        host.log.error("the polling loop failed", { error });
        host.retrying(`the polling loop failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .then(() => this.#settle())
      .then(() => this.#persist())
      .then(() => {
        this.#closed = true;
        this.#settleStarted();
      });
  }

  abort(): void {
    this.#controller.abort();
    this.#room?.();
  }

  get #signal(): AbortSignal {
    return this.#controller.signal;
  }

  #settleStarted(error?: Error): void {
    if (this.#startedSettled) return;
    this.#startedSettled = true;
    if (error) this.#rejectStarted(error);
    else this.#resolveStarted();
  }

  async #run(): Promise<void> {
    const bot = await this.#identify();
    if (!bot) return;
    const saved = await this.host.offsets.read();
    this.#offset = saved.offset;
    for (const update of saved.pending) this.#pending.set(update.update_id, { update, failures: 0 });
    this.#version = this.#written = 1;
    this.host.log.info("polling Telegram for messages", { bot: `@${bot.username}`, offset: this.#offset, pending: this.#pending.size });
    this.host.polling();
    this.#settleStarted();
    for (const entry of this.#pending.values()) this.#deliver(entry, bot);

    let webhookDeleted = false;
    while (!this.#signal.aborted) {
      if (this.#pending.size >= this.host.maxInFlight) {
        await this.#roomFreed();
        continue;
      }
      // Durable before the poll: its offset makes Telegram forget what is pending here.
      if (!(await this.#persist())) {
        await this.#retryLater({ kind: "unavailable", message: `cannot write ${this.host.offsets.file}` });
        continue;
      }
      let updates: Update[];
      try {
        updates = await this.host.api.getUpdates(
          { offset: this.#offset, timeout: this.host.pollTimeoutSeconds, limit: Math.min(MAX_BATCH, this.host.maxInFlight - this.#pending.size), allowed_updates: ["message"] },
          forGrammy(this.#signal),
        );
      } catch (error) {
        const failure = classifyApiError(error, this.#signal);
        if (failure.kind === "aborted") return;
        if (failure.kind === "refused") return void this.host.refused(failure);
        if (failure.kind === "conflict" && failure.webhook && !webhookDeleted) {
          webhookDeleted = true;
          await this.#deleteWebhook();
          continue;
        }
        await this.#retryLater(failure);
        continue;
      }
      if (this.#signal.aborted) return;
      this.host.received();
      this.#backoff.reset();
      const fresh: Pending[] = [];
      for (const update of updates) {
        if (update.update_id < this.#offset || this.#pending.has(update.update_id)) continue;
        const entry = { update, failures: 0 };
        this.#pending.set(update.update_id, entry);
        fresh.push(entry);
      }
      if (updates.length > 0) {
        this.#offset = Math.max(this.#offset, ...updates.map((update) => update.update_id + 1));
        this.#version++;
      }
      for (const entry of fresh) this.#deliver(entry, bot);
    }
  }

  /** getMe, retried while Telegram cannot be reached; undefined when stopped or refused. */
  async #identify(): Promise<BotIdentity | undefined> {
    if (this.host.bot) return this.host.bot;
    while (!this.#signal.aborted) {
      try {
        const me = await this.host.api.getMe(forGrammy(this.#signal));
        const bot = { id: me.id, username: me.username };
        this.host.identified(bot);
        return bot;
      } catch (error) {
        const failure = classifyApiError(error, this.#signal);
        if (failure.kind === "aborted") return undefined;
        if (failure.kind === "refused") {
          this.#settleStarted(this.host.refused(failure));
          return undefined;
        }
        // Receiving is as started as it gets until Telegram answers: the status says reconnecting.
        const waiting = this.#retryLater(failure);
        this.#settleStarted();
        await waiting;
      }
    }
    return undefined;
  }

  /** Hands one pending update to the registry; not awaited (the loop polls on). */
  #deliver(entry: Pending, bot: BotIdentity): void {
    const { update } = entry;
    const inbound = toChannelMessage(update, bot, this.host.name);
    if ("ignored" in inbound) {
      this.host.log.debug("ignored an update", { updateId: update.update_id, what: inbound.ignored });
      this.#finished(entry);
      return;
    }
    const { message } = inbound;
    if (inbound.threadId !== undefined) this.host.threads.remember(message.messageId, inbound.threadId);
    this.host.log.debug("received a message", { updateId: update.update_id, chatId: message.chatId, kind: message.kind, from: message.peer.id, messageId: message.messageId });
    let delivering: Promise<void>;
    try {
      delivering = this.deliver(message);
    } catch (error) {
      delivering = Promise.reject(error);
    }
    const settled = delivering.then(
      () => this.#finished(entry),
      (error: unknown) => this.#failed(entry, bot, message, error),
    );
    this.#delivering.add(settled);
    void settled.finally(() => this.#delivering.delete(settled));
  }

  #finished(entry: Pending): void {
    // Once this run is over the next one owns offset.json: the update stays pending there, and
    // the registry, which answers each message once, does not answer it twice.
    if (this.#closed) return;
    this.#pending.delete(entry.update.update_id);
    this.#version++;
    void this.#persist();
    this.#room?.();
  }

  #failed(entry: Pending, bot: BotIdentity, message: ChannelMessage, error: unknown): void {
    // Stopping: the registry cancelled the turn; the next run delivers it again.
    if (this.#signal.aborted) return;
    entry.failures++;
    const { initialMs, maxMs } = this.host.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** (entry.failures - 1));
    this.host.log.error("delivering a Telegram message failed; it will be delivered again", { updateId: entry.update.update_id, messageId: message.messageId, attempt: entry.failures, retryInMs: delay, error });
    void this.host.sleep(delay, this.#signal).then(() => {
      if (!this.#signal.aborted && this.#pending.get(entry.update.update_id) === entry) this.#deliver(entry, bot);
    });
  }

  /** After the loop: waits for the deliveries in flight to settle, stopGraceMs at most. */
  async #settle(): Promise<void> {
    await settleWithin(this.#delivering, this.host.stopGraceMs);
    if (this.#delivering.size > 0) this.host.log.info("stopped with deliveries in flight: they are delivered again by the next run", { pending: this.#pending.size });
  }

  /** Writes offset.json if it is behind; one write at a time. Resolves false when the write failed. */
  #persist(): Promise<boolean> {
    this.#writes = this.#writes.then(async () => {
      const version = this.#version;
      if (version === this.#written || this.#closed) return true;
      const pending = [...this.#pending.values()].map((entry) => entry.update).sort((a, b) => a.update_id - b.update_id);
      try {
        await this.host.offsets.write({ offset: this.#offset, pending });
        this.#written = Math.max(this.#written, version);
        return true;
      } catch (error) {
        this.host.log.error("cannot write the update offset", { file: this.host.offsets.file, error });
        return false;
      }
    });
    return this.#writes;
  }

  #roomFreed(): Promise<void> {
    return new Promise((resolve) => {
      this.#room = () => {
        this.#room = undefined;
        resolve();
      };
    });
  }

  async #retryLater(failure: Exclude<ApiFailure, { kind: "aborted" | "refused" }>): Promise<void> {
    const delay = failure.kind === "rate_limited" ? failure.retryAfterMs : this.#backoff.next();
    const reason = failure.kind === "conflict" ? `another program is polling this bot's updates (${failure.message})` : failure.message;
    this.host.retrying(reason);
    this.host.log.warn(failure.kind === "conflict" ? "another getUpdates took over this bot token; retrying later" : "Telegram cannot be polled; retrying later", {
      reason: failure.message,
      retryInMs: delay,
      ...(failure.kind === "conflict" ? { fix: "run one poller per bot token: stop the other `aleph start` or program using this bot" } : {}),
    });
    await this.host.sleep(delay, this.#signal);
  }

  async #deleteWebhook(): Promise<void> {
    try {
      await this.host.api.deleteWebhook({ drop_pending_updates: false }, forGrammy(this.#signal));
      this.host.log.warn("the bot had a webhook set, which blocks long polling: it was deleted", { fix: "use one way of receiving per bot: this plugin polls" });
    } catch (error) {
      const failure = classifyApiError(error, this.#signal);
      if (failure.kind === "aborted") return;
      this.host.log.warn("deleting the bot's webhook failed", { reason: failure.message });
    }
  }
}
