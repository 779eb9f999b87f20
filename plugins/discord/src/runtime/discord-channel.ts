import {
  AlephError,
  errorMessage,
  type ChannelAdapter,
  type ChannelMessage,
  type ChannelReceipt,
  type ChannelState,
  channelStatusOf,
  type ChannelStatus,
  type Logger,
} from "@aleph/plugin-sdk";
import { GatewayDispatchEvents, type GatewayDispatchPayload } from "@discordjs/core";
import { SNOWFLAKE } from "../config.js";
import { ChatQueues } from "./chat-queues.js";
import { fatalCloseError, sendError, startError } from "./discord-errors.js";
import { GatewayConnection, type GatewayListener } from "./gateway-connection.js";
import { GatewaySessionStore } from "./gateway-session.js";
import { mapMessage, type BotIdentity, type DiscordMessagePayload } from "./message-mapping.js";
import { RecentIds } from "./recent-ids.js";
import { RestSession } from "./rest-session.js";
import { splitMessage } from "./split-message.js";

/*
 * The Discord channel: a ChannelAdapter (SDK channels.ts) over one gateway connection and the
 * REST API. Inbound, each person's MESSAGE_CREATE becomes a ChannelMessage delivered to the
 * registry (queued per Discord channel, see chat-queues.ts); outbound, replies are split at 2000
 * characters and posted with no mentions allowed.
 *
 * Liveness is the last thing received: a gateway dispatch or a heartbeat ACK (Discord ACKs every
 * heartbeat, so a quiet but healthy connection still shows it is alive).
 */

export interface DiscordChannelOptions {
  /** The interface name (default "discord"). */
  name?: string;
  token: string;
  /** The REST base, without the API version (e.g. https://discord.com/api). */
  apiBase: string;
  /** Connect to this gateway URL instead of the one GET /gateway/bot names. */
  gatewayUrl?: string;
  /** How long start() waits for the gateway to be ready before it fails (and the registry retries). */
  connectTimeoutMs: number;
  /** Where the gateway session is kept between plugin generations (asked for at each start). */
  sessionFile: () => string;
  log: Logger;
  /** See GatewayConnectionOptions.identifyThrottle (default true). */
  identifyThrottle?: boolean;
  /** The pause before a message the registry did not take is delivered again, doubled each time (default 1000 ms). */
  redeliveryFirstMs?: number;
  /** Told whenever the state (or its error) changes. */
  onStatusChange?: (status: Omit<ChannelStatus, "plugin" | "name">) => void;
}

/** How often a message the registry could not take is delivered (it gives up by itself after three). */
const MAX_DELIVERY_ATTEMPTS = 5;
/** The wait before delivering it again: doubled each time. */
const REDELIVERY_FIRST_MS = 1000;

/** What one start() runs, until stop(). */
interface Run {
  deliver: (message: ChannelMessage) => Promise<void>;
  store: GatewaySessionStore;
  queues: ChatQueues;
  seen: RecentIds;
  /** Aborted by stop() and by the registry's signal: a start still connecting gives up, no delivery is retried. */
  abort: AbortController;
  /** Stops following the registry's signal. */
  unfollow: () => void;
  gateway?: GatewayConnection;
  /** Set when the gateway closed with a code no reconnect can cure (4004, 4014, …). */
  fatal?: AlephError;
  /** The session was resumed (RESUMED) rather than identified (READY), last time. */
  resumed?: boolean;
}

export class DiscordChannel implements ChannelAdapter {
  readonly name: string;
  #state: ChannelState = "stopped";
  #error: string | undefined;
  #lastReceiveAt: number | undefined;
  #lastSendAt: number | undefined;
  #bot: BotIdentity | undefined;
  #rest: RestSession | undefined;
  #run: Run | undefined;
  #stopping: Promise<void> | undefined;
  /** False from stop() until the next start(): nothing is sent. */
  #accepting = true;

  constructor(private readonly options: DiscordChannelOptions) {
    this.name = options.name ?? "discord";
  }

  async start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
    await this.#stopping;
    if (this.#run) throw new AlephError("ALEPH_E_CONFLICT", `the ${this.name} channel is running already`, { fix: "stop it before starting it again" });
    this.#accepting = true;
    this.#setState("starting", undefined);
    const { log, token } = this.options;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const unfollow = () => signal.removeEventListener("abort", onAbort);
    const run: Run = { deliver, store: new GatewaySessionStore(this.options.sessionFile(), token, log), queues: new ChatQueues(), seen: new RecentIds(), abort, unfollow };
    this.#run = run;
    try {
      const rest = this.#restSession();
      const me = await rest.api.users.getCurrent({ signal: run.abort.signal }).catch((error: unknown) => {
        throw run.abort.signal.aborted ? cancelled(this.name) : startError(error, this.options.apiBase);
      });
      this.#bot = { id: me.id, username: me.username };
      await run.store.load();
      // Stopped meanwhile: no gateway may be made after stop() has torn this run down.
      if (run.abort.signal.aborted) throw cancelled(this.name);
      run.gateway = new GatewayConnection({
        token,
        rest: rest.rest,
        store: run.store,
        listener: this.#listener(run),
        ...(this.options.gatewayUrl !== undefined ? { gatewayUrl: this.options.gatewayUrl } : {}),
        ...(this.options.identifyThrottle !== undefined ? { identifyThrottle: this.options.identifyThrottle } : {}),
      });
      await this.#connect(run);
      this.#setState("running", undefined);
      log.info(run.resumed ? "resumed the saved gateway session" : "connected to the gateway", { bot: me.username });
    } catch (error) {
      const failure = run.abort.signal.aborted ? cancelled(this.name) : error instanceof AlephError ? error : startError(error, this.options.apiBase);
      if (this.#run === run) {
        // A failed start leaves nothing running; the registry decides whether to try again.
        this.#run = undefined;
        await this.#teardown(run);
        this.#setState("failed", `${failure.code}: ${failure.message}`);
      }
      throw failure;
    }
  }

  stop(): Promise<void> {
    this.#accepting = false;
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async send(chatId: string, text: string, options: { replyTo?: string; signal?: AbortSignal } = {}): Promise<ChannelReceipt> {
    if (!this.#accepting) {
      throw new AlephError("ALEPH_E_DISCORD_STOPPED", `the ${this.name} channel is stopped: nothing was sent`, { fix: "enable it ([interfaces.discord] enabled = true, with a token) and let it start" });
    }
    if (!SNOWFLAKE.test(chatId)) throw new AlephError("ALEPH_E_DISCORD_SEND", `"${chatId}" is not a Discord channel id (17 to 20 digits)`, { fix: "send to the chatId a Discord message arrived with" });
    if (options.replyTo !== undefined && !SNOWFLAKE.test(options.replyTo)) {
      throw new AlephError("ALEPH_E_DISCORD_SEND", `"${options.replyTo}" is not a Discord message id (17 to 20 digits)`, { fix: "reply to the messageId a Discord message arrived with" });
    }
    const parts = splitMessage(text);
    if (parts.length === 0) throw new AlephError("ALEPH_E_DISCORD_SEND", "the message is empty (Discord refuses empty messages)", { fix: "send some text" });
    const api = this.#restSession().api;
    const messageIds: string[] = [];
    for (const [index, content] of parts.entries()) {
      try {
        const sent = await api.channels.createMessage(
          chatId,
          {
            content,
            // No @everyone, @here, role or user pings, whatever the text says: a model's words never notify a whole server.
            allowed_mentions: { parse: [] },
            // The first part answers the message; fail_if_not_exists false: if it was deleted meanwhile, the reply still goes out.
            ...(index === 0 && options.replyTo !== undefined ? { message_reference: { message_id: options.replyTo, fail_if_not_exists: false } } : {}),
          },
          options.signal ? { signal: options.signal } : {},
        );
        messageIds.push(sent.id);
        this.#lastSendAt = Date.now();
      } catch (error) {
        if (options.signal?.aborted) throw new AlephError("ALEPH_E_CANCELLED", `sending to ${this.name} channel ${chatId} was cancelled after ${index} of ${parts.length} part(s)`, { cause: error });
        throw sendError(error, chatId, index, parts.length);
      }
    }
    return { messageIds };
  }

  async typing(chatId: string): Promise<void> {
    if (!this.#accepting || !SNOWFLAKE.test(chatId)) return;
    try {
      await this.#restSession().api.channels.showTyping(chatId);
    } catch (error) {
      this.options.log.debug("could not show typing", { chatId, error: errorMessage(error) });
    }
  }

  status(): Omit<ChannelStatus, "plugin" | "name"> {
    return channelStatusOf({ state: this.#state, lastReceiveAt: this.#lastReceiveAt, lastSendAt: this.#lastSendAt, error: this.#error, botName: this.#bot?.username });
  }

  /** Waits for READY/RESUMED, at most connectTimeoutMs, giving up when the run is aborted. */
  async #connect(run: Run): Promise<void> {
    if (run.abort.signal.aborted) throw cancelled(this.name);
    const gateway = run.gateway!;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new AlephError("ALEPH_E_DISCORD_GATEWAY", `the Discord gateway was not ready within ${this.options.connectTimeoutMs / 1000} s`, {
            fix: "check the network (and gateway_url in [interfaces.discord], when set); retried by itself",
          }),
        );
      }, this.options.connectTimeoutMs);
      onAbort = () => reject(cancelled(this.name));
      run.abort.signal.addEventListener("abort", onAbort, { once: true });
    });
    const connecting = gateway.connect().catch((error: unknown) => {
      throw run.fatal ?? startError(error, this.options.apiBase);
    });
    // Settling after the race is lost (a timeout, a stop) must not be an unhandled rejection.
    connecting.catch(() => undefined);
    try {
      await Promise.race([connecting, limit]);
    } finally {
      clearTimeout(timer);
      if (onAbort) run.abort.signal.removeEventListener("abort", onAbort);
    }
  }

  #listener(run: Run): GatewayListener {
    const { log } = this.options;
    const received = () => {
      this.#lastReceiveAt = Date.now();
    };
    return {
      dispatch: (payload) => {
        received();
        if (payload.t === GatewayDispatchEvents.MessageCreate) this.#onMessage(run, payload);
      },
      heartbeatAck: received,
      ready: (data) => {
        run.resumed = false;
        this.#bot = { id: data.user.id, username: data.user.username };
        if (this.#state === "reconnecting") log.info("identified a new gateway session (the old one could not be resumed)");
        if (this.#state !== "starting") this.#setState("running", undefined);
      },
      resumed: () => {
        run.resumed = true;
        if (this.#state === "reconnecting") log.info("resumed the gateway session");
        if (this.#state !== "starting") this.#setState("running", undefined);
      },
      closed: (code) => {
        const fatal = fatalCloseError(code);
        if (fatal) {
          run.fatal = fatal;
          log.error(fatal.message, { code: fatal.code, fix: fatal.fix });
          this.#setState("failed", `${fatal.code}: ${fatal.message}`);
        } else if (this.#state === "running") {
          log.info("the gateway connection closed; reconnecting", { closeCode: code });
          this.#setState("reconnecting", `the gateway connection closed (code ${code}); reconnecting`);
        }
      },
      error: (error) => log.warn("gateway error", { error: error.message }),
      debug: (message) => log.trace(message),
    };
  }

  #onMessage(run: Run, payload: Extract<GatewayDispatchPayload, { t: GatewayDispatchEvents.MessageCreate }>): void {
    const bot = this.#bot;
    if (!bot) return;
    const mapped = mapMessage(payload.d as DiscordMessagePayload, bot, this.name);
    if ("ignored" in mapped) {
      this.options.log.trace("message ignored", { messageId: payload.d.id, reason: mapped.ignored });
      return;
    }
    const message = mapped.message;
    if (!run.seen.add(message.messageId)) return;
    // Acknowledged (in the saved session) only once delivered: a stop in between replays it next time.
    const release = run.store.hold(payload.s);
    run.queues.enqueue(message.chatId, () => this.#deliver(run, message, release));
  }

  /**
   * Delivers one message; the registry rejects when it wants it again (its reply could not be
   * sent, say): it is delivered again after a pause — the chat's later messages wait, keeping their
   * order — at most MAX_DELIVERY_ATTEMPTS times. Stopping ends this without acknowledging the
   * message: the next start resumes from before it and it is delivered then.
   */
  async #deliver(run: Run, message: ChannelMessage, release: () => void): Promise<void> {
    const { log } = this.options;
    const ids = { chatId: message.chatId, messageId: message.messageId };
    for (let attempt = 1; ; attempt++) {
      try {
        await run.deliver(message);
        release();
        return;
      } catch (error) {
        if (run.abort.signal.aborted) {
          log.info("message not taken before the channel stopped; the next start delivers it again", ids);
          return;
        }
        if (attempt >= MAX_DELIVERY_ATTEMPTS) {
          log.error(`message given up after ${attempt} deliveries`, { ...ids, error: errorMessage(error) });
          release();
          return;
        }
        const delayMs = (this.options.redeliveryFirstMs ?? REDELIVERY_FIRST_MS) * 2 ** (attempt - 1);
        log.warn("the registry did not take the message; delivering it again", { ...ids, attempt, delayMs, error: errorMessage(error) });
        if (!(await pause(delayMs, run.abort.signal))) return;
      }
    }
  }

  async #stop(): Promise<void> {
    const run = this.#run;
    this.#run = undefined;
    if (run) {
      run.abort.abort();
      await this.#teardown(run);
    }
    const rest = this.#rest;
    this.#rest = undefined;
    await rest?.close();
    this.#setState("stopped", undefined);
  }

  /** The gateway down, queued deliveries dropped and running ones ended, the session saved. */
  async #teardown(run: Run): Promise<void> {
    run.unfollow();
    // Queued deliveries are dropped at once (the next generation gets them replayed); running ones end.
    const deliveries = run.queues.close();
    await run.gateway?.stop();
    await deliveries;
    await run.store.close();
  }

  #restSession(): RestSession {
    this.#rest ??= new RestSession(this.options.token, this.options.apiBase);
    return this.#rest;
  }

  #setState(state: ChannelState, error: string | undefined): void {
    if (state === this.#state && error === this.#error) return;
    this.#state = state;
    this.#error = error;
    this.options.onStatusChange?.(this.status());
  }
}

function cancelled(name: string): AlephError {
  return new AlephError("ALEPH_E_CANCELLED", `the ${name} channel was stopped while it was starting`);
}

/** Waits `ms`; false when `signal` aborted first (the timer is cleared either way). */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
