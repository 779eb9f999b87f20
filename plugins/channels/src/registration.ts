import { errorMessage, isAlephError, type ChannelAdapter, type ChannelMessage, type ChannelRouting, type ChannelState, type ChannelStatus, type Logger } from "@aleph/plugin-sdk";
import type { ChannelHandle } from "./channel-handle.js";

/*
 * One registered channel's life: started (after a previous channel of the same name has stopped —
 * one poller per bot token), retried with backoff when it cannot start, stopped when disposed.
 * Its status is the adapter's own while it runs (the adapter knows when it reconnects), the
 * registry's before and after.
 */

/** The first retry after a failed start, doubled each time up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 60_000;
/** Start failures that retrying cannot fix (a wrong token): the channel stays failed until its config changes. */
const PERMANENT = new Set(["ALEPH_E_CONFIG", "ALEPH_E_PERMISSION"]);

export interface RegistrationHooks {
  log: Logger;
  redact(text: string): string;
  deliver(channel: ChannelHandle, message: ChannelMessage): Promise<void>;
  /** The status may have changed. */
  changed(registration: Registration): void;
  /** Disposed: no longer the channel of its name (its stop may still run). */
  released(registration: Registration): void;
}

export class Registration implements ChannelHandle {
  readonly name: string;
  readonly #controller = new AbortController();
  #phase: ChannelState = "starting";
  #error: string | undefined;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #startCalled = false;
  #disposed = false;
  #lastReceiveAt: number | undefined;
  #lastSendAt: number | undefined;
  readonly #stopped: Promise<void>;
  #markStopped!: () => void;

  constructor(
    readonly adapter: ChannelAdapter,
    readonly plugin: string,
    readonly routing: ChannelRouting,
    private readonly hooks: RegistrationHooks,
  ) {
    this.name = adapter.name;
    this.#stopped = new Promise((resolve) => (this.#markStopped = resolve));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts once `after` (the previous channel of this name stopping) has settled. */
  begin(after: Promise<void>): void {
    void after.then(() => this.#start());
  }

  botName(): string | undefined {
    return this.#adapterStatus()?.botName;
  }

  noteReceive(): void {
    this.#lastReceiveAt = Date.now();
  }

  noteSend(): void {
    this.#lastSendAt = Date.now();
  }

  get state(): ChannelState {
    return this.status().state;
  }

  status(): ChannelStatus {
    const own = this.#phase === "running" || this.#phase === "starting" ? this.#adapterStatus() : undefined;
    const state = this.#phase === "running" ? (own?.state ?? "running") : this.#phase;
    const error = this.#phase === "running" ? own?.error : this.#error;
    const lastReceiveAt = own?.lastReceiveAt ?? this.#lastReceiveAt;
    const lastSendAt = own?.lastSendAt ?? this.#lastSendAt;
    const botName = own?.botName ?? this.#lastBotName;
    return {
      name: this.name,
      plugin: this.plugin,
      state,
      ...(lastReceiveAt !== undefined ? { lastReceiveAt } : {}),
      ...(lastSendAt !== undefined ? { lastSendAt } : {}),
      ...(error ? { error: this.hooks.redact(error) } : {}),
      ...(botName ? { botName } : {}),
    };
  }

  #lastBotName: string | undefined;

  #adapterStatus(): ReturnType<ChannelAdapter["status"]> | undefined {
    try {
      const own = this.adapter.status();
      if (own?.botName) this.#lastBotName = own.botName;
      return own;
    } catch (error) {
      this.hooks.log.debug("the channel's status() threw", { channel: this.name, error });
      return undefined;
    }
  }

  async #start(): Promise<void> {
    if (this.#disposed) return;
    const { log } = this.hooks;
    this.#set("starting");
    this.#startCalled = true;
    try {
      await this.adapter.start((message) => this.hooks.deliver(this, message), this.signal);
      if (this.#disposed) return;
      this.#failures = 0;
      this.#error = undefined;
      this.#set("running");
      log.info("channel running", { channel: this.name, plugin: this.plugin });
    } catch (error) {
      if (this.#disposed) return;
      this.#error = errorMessage(error);
      // What a failed start left running goes before the next attempt.
      await Promise.resolve()
        .then(() => this.adapter.stop())
        .catch((stopError: unknown) => log.warn("channel stop after a failed start failed", { channel: this.name, error: stopError }));
      if (this.#disposed) return;
      if (isAlephError(error) && PERMANENT.has(error.code)) {
        log.error("channel cannot start; not retried until its config changes", { channel: this.name, plugin: this.plugin, error });
        this.#set("failed");
        return;
      }
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.#failures++);
      log.warn("channel could not start; retrying", { channel: this.name, plugin: this.plugin, delayMs, attempt: this.#failures, error });
      this.#set("reconnecting");
      this.#retry = setTimeout(() => void this.#start(), delayMs);
      this.#retry.unref?.();
    }
  }

  #set(phase: ChannelState): void {
    this.#phase = phase;
    this.hooks.changed(this);
  }

  /** Stops the channel: receiving ends, turns in progress are cancelled (redelivered later), then adapter.stop(). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearTimeout(this.#retry);
    this.#controller.abort(new Error(`channel "${this.name}" stopped`));
    this.hooks.released(this);
    const stop = this.#startCalled ? Promise.resolve().then(() => this.adapter.stop()) : Promise.resolve();
    void stop
      .catch((error: unknown) => this.hooks.log.warn("channel stop failed", { channel: this.name, error }))
      .finally(() => {
        this.#phase = "stopped";
        this.#error = undefined;
        this.hooks.log.info("channel stopped", { channel: this.name, plugin: this.plugin });
        this.hooks.changed(this);
        this.#markStopped();
      });
  }

  /** Resolves once adapter.stop() has (the next channel of this name may start). */
  stopped(): Promise<void> {
    return this.#stopped;
  }
}
