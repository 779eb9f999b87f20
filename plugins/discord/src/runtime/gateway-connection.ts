import { GatewayIntentBits, type GatewayDispatchPayload, type GatewayReadyDispatchData } from "@discordjs/core";
import type { REST } from "@discordjs/rest";
import { WebSocketManager, WebSocketShardEvents, type CreateWebSocketManagerOptions } from "@discordjs/ws";
import type { GatewaySessionStore } from "./gateway-session.js";

/*
 * One gateway connection (one shard) through @discordjs/ws, which identifies, heartbeats, and
 * resumes after a drop (Discord then replays what was dispatched in the gap). This class adds
 * what a plugin that is reloaded in a running process needs: its own session store (see
 * gateway-session.ts), a configurable gateway URL, and a stop() after which nothing of it runs.
 */

/** Guilds (GUILD_CREATE), messages in guilds and in DMs, and their content (a privileged intent). */
export const GATEWAY_INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages | GatewayIntentBits.MessageContent;

/**
 * The close code of stop(): anything but 1000/1001 keeps the session resumable on Discord's side,
 * so the next generation resumes it (4200 is the code @discordjs/ws itself closes with to resume).
 */
const RESUMABLE_CLOSE = 4200;
/** How long stop() waits for the library's close handshake (it can wait forever on one it raced itself on). */
const DESTROY_WAIT_MS = 5000;
/** A reconnect @discordjs/ws scheduled before stop() reaches its (parked) session lookup after a 500 ms sleep. */
const SCHEDULED_RECONNECT_WAIT_MS = 2000;

export interface GatewayListener {
  dispatch(payload: GatewayDispatchPayload): void;
  heartbeatAck(): void;
  ready(data: GatewayReadyDispatchData): void;
  resumed(): void;
  closed(code: number): void;
  error(error: Error): void;
  debug(message: string): void;
}

export interface GatewayConnectionOptions {
  token: string;
  rest: REST;
  store: GatewaySessionStore;
  listener: GatewayListener;
  /** Connect here instead of where GET /gateway/bot says (a local fake, a proxy). Resumes go where READY says. */
  gatewayUrl?: string;
  /**
   * Space IDENTIFYs as Discord asks (one per 5 s per bucket; default true). Tests of re-identifying
   * turn it off so they do not wait.
   */
  identifyThrottle?: boolean;
}

/** @discordjs/ws's manager, connecting to a configured URL when there is one. */
class ConfiguredWebSocketManager extends WebSocketManager {
  readonly #gatewayUrl: string | undefined;

  constructor(options: CreateWebSocketManagerOptions, gatewayUrl: string | undefined) {
    super(options);
    this.#gatewayUrl = gatewayUrl;
  }

  override async fetchGatewayInformation(force?: boolean): ReturnType<WebSocketManager["fetchGatewayInformation"]> {
    const info = await super.fetchGatewayInformation(force);
    return this.#gatewayUrl === undefined ? info : { ...info, url: this.#gatewayUrl };
  }
}

export class GatewayConnection {
  readonly #manager: WebSocketManager;
  readonly #store: GatewaySessionStore;
  #stopped = false;
  /** @discordjs/ws is about to reconnect (it said so in its debug output) and has not looked the session up yet. */
  #reconnectScheduled = false;

  constructor(options: GatewayConnectionOptions) {
    const { store, listener } = options;
    this.#store = store;
    this.#manager = new ConfiguredWebSocketManager(
      {
        token: options.token,
        intents: GATEWAY_INTENTS,
        rest: options.rest,
        // One shard: Discord requires more only past 2,500 servers (close 4011, reported).
        shardCount: 1,
        retrieveSessionInfo: () => {
          this.#reconnectScheduled = false;
          return this.#store.retrieve();
        },
        updateSessionInfo: (_shardId, info) => this.#store.update(info),
        ...(options.identifyThrottle === false ? { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } : {}),
      },
      options.gatewayUrl,
    );
    const live = <A extends unknown[]>(handle: (...args: A) => void) => (...args: A) => {
      if (!this.#stopped) handle(...args);
    };
    const manager = this.#manager;
    manager.on(WebSocketShardEvents.Dispatch, live((payload) => listener.dispatch(payload)));
    manager.on(WebSocketShardEvents.HeartbeatComplete, live(() => listener.heartbeatAck()));
    manager.on(WebSocketShardEvents.Ready, live((data) => listener.ready(data)));
    manager.on(WebSocketShardEvents.Resumed, live(() => listener.resumed()));
    manager.on(WebSocketShardEvents.Closed, live((code) => listener.closed(code)));
    // Kept after stop too: an 'error' nobody listens to is thrown inside the library.
    manager.on(WebSocketShardEvents.Error, (error) => {
      if (!this.#stopped) listener.error(error);
    });
    manager.on(WebSocketShardEvents.SocketError, live((error) => listener.debug(`socket error: ${error.message}`)));
    manager.on(WebSocketShardEvents.Debug, (message) => {
      if (/^Destroying shard/.test(message) && /Recover: (Reconnect|Resume)/.test(message)) this.#reconnectScheduled = true;
      if (!this.#stopped) listener.debug(message);
    });
  }

  /** Connects; resolves on READY or RESUMED. Network failures are retried by the library (bound the wait); fatal closes reject. */
  connect(): Promise<void> {
    return this.#manager.connect();
  }

  /**
   * Closes the connection, resumable, and resolves when nothing of it runs: no socket, no timer,
   * no reconnect to come (a reconnect already scheduled stops at its parked session lookup).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#store.park();
    await within(Promise.resolve(this.#manager.destroy({ code: RESUMABLE_CLOSE, reason: "Aleph is stopping the channel" })).catch(() => undefined), DESTROY_WAIT_MS);
    if (this.#reconnectScheduled) await within(this.#store.lookedUpAfterPark(), SCHEDULED_RECONNECT_WAIT_MS);
  }
}

/** `promise`, or nothing after `ms`: the timer is cleared either way. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
