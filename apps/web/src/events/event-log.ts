/*
 * The live events the page has seen: one events.subscribe per connection (subscriptions end with
 * the connection, so each reconnect subscribes again), newest first, at most `capacity` kept —
 * a busy bus can never grow the page's memory without bound.
 */
import type { RpcClient } from "../rpc/client.js";
import type { BusEventParams } from "../rpc/types.js";

export interface LoggedEvent {
  /** Arrival number, 1, 2, 3… for the life of the log (a stable key for lists). */
  n: number;
  /** When it arrived (ms since the epoch). */
  at: number;
  event: string;
  payload: unknown;
}

export const EVENT_LOG_CAPACITY = 500;

export class EventLog {
  #items: LoggedEvent[] = [];
  #count = 0;
  #subscription: string | undefined;
  #listeners = new Set<() => void>();
  #subscribeError: unknown;

  constructor(
    private readonly client: RpcClient,
    readonly capacity = EVENT_LOG_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes now if open and on every (re)open; returns the undo. */
  start(): () => void {
    const offNotification = this.client.onNotification("event", (params) => this.#receive(params));
    const offState = this.client.onState((state) => {
      if (state.status === "open") void this.#subscribe();
      else this.#subscription = undefined;
    });
    if (this.client.state.status === "open") void this.#subscribe();
    return () => {
      offNotification();
      offState();
    };
  }

  /** Newest first. */
  get items(): readonly LoggedEvent[] {
    return this.#items;
  }

  /** Events received in all (including those dropped off the end). */
  get received(): number {
    return this.#count;
  }

  get subscribeError(): unknown {
    return this.#subscribeError;
  }

  clear(): void {
    this.#items = [];
    this.#emit();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async #subscribe(): Promise<void> {
    try {
      const result = await this.client.request<{ subscription: string }>("events.subscribe", {});
      this.#subscription = result.subscription;
      this.#subscribeError = undefined;
    } catch (error) {
      this.#subscribeError = error;
      this.#emit();
    }
  }

  #receive(params: unknown): void {
    const p = params as Partial<BusEventParams> | undefined;
    if (!p || typeof p.event !== "string") return;
    // Until the subscribe answer names our subscription, every event is ours (the page makes one).
    if (this.#subscription !== undefined && p.subscription !== undefined && p.subscription !== this.#subscription) return;
    this.#count += 1;
    const item: LoggedEvent = { n: this.#count, at: this.now(), event: p.event, payload: p.payload };
    this.#items = this.#items.length >= this.capacity ? [item, ...this.#items.slice(0, this.capacity - 1)] : [item, ...this.#items];
    this.#emit();
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
