/*
 * The page's JSON-RPC 2.0 client over one WebSocket to the gateway: requests matched to their
 * responses by id, notifications routed by method, and a connection that comes back by itself —
 * after a close it waits (exponential backoff with jitter) and reconnects until stopped.
 *
 * Calls made while the socket is not open fail at once (NOT_CONNECTED) rather than queueing: a
 * view shows "not connected" and fetches again when the connection opens, which is what a person
 * watching the page expects; a queued chat.send fired minutes later would not be.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import { CONNECTION_LOST, NOT_CONNECTED, RpcError } from "./errors.js";
import { parseFrames } from "./frames.js";

/** The part of the browser's WebSocket the client uses (tests pass an object that behaves alike). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** False when the socket closed before it opened: the upgrade was refused or nothing listens. */
  wasOpen: boolean;
}

export type ConnectionState =
  | { status: "idle" }
  | { status: "connecting"; attempt: number }
  | { status: "open" }
  | { status: "waiting"; attempt: number; delayMs: number; retryAt: number; lastClose: CloseInfo };

export interface RpcClientOptions {
  url: string;
  createSocket?: SocketFactory;
  backoff?: BackoffOptions;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
  /** Called with frames the client cannot read (default: console.warn). */
  onInvalidFrame?: (reason: string) => void;
}

type NotificationHandler = (params: unknown) => void;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: RpcError) => void;
}

const OPEN = 1;

const browserSocket: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;
const browserTimers: Timers = { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as number) };

export class RpcClient {
  readonly url: string;
  #options: Required<Omit<RpcClientOptions, "url">>;
  #socket: SocketLike | null = null;
  #state: ConnectionState = { status: "idle" };
  #running = false;
  #attempt = 0;
  #opened = false;
  #retryTimer: unknown = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #handlers = new Map<string, Set<NotificationHandler>>();
  #stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(options: RpcClientOptions) {
    this.url = options.url;
    this.#options = {
      createSocket: options.createSocket ?? browserSocket,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      timers: options.timers ?? browserTimers,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      onInvalidFrame: options.onInvalidFrame ?? ((reason) => console.warn(`gateway frame ignored: ${reason}`)),
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Connects, and keeps reconnecting after every close until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    this.#connect();
  }

  /** Closes the connection for good: no reconnect; calls still waiting fail. */
  stop(): void {
    this.#running = false;
    this.#cancelRetry();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000, "page closed the connection");
    }
    this.#failPending("the page closed the connection");
    this.#setState({ status: "idle" });
  }

  /** While waiting to reconnect: try now instead. */
  retryNow(): void {
    if (!this.#running || this.#state.status !== "waiting") return;
    this.#cancelRetry();
    this.#connect();
  }

  /** Calls a method; resolves with its result, rejects with an RpcError. */
  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const socket = this.#socket;
    if (!socket || this.#state.status !== "open" || socket.readyState !== OPEN) {
      return Promise.reject(new RpcError({ code: NOT_CONNECTED, message: `not connected to the gateway (${method} was not sent)` }));
    }
    const id = this.#nextId++;
    const frame = JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      try {
        socket.send(frame);
      } catch (error) {
        this.#pending.delete(id);
        reject(new RpcError({ code: CONNECTION_LOST, message: `${method} could not be sent: ${String(error)}` }));
      }
    });
  }

  /** Sends a notification (no answer expected); false when not connected. */
  notify(method: string, params?: unknown): boolean {
    if (!this.#socket || this.#state.status !== "open") return false;
    this.#socket.send(JSON.stringify(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params }));
    return true;
  }

  /** Routes the server's notifications of one method to `handler`; returns the undo. */
  onNotification(method: string, handler: NotificationHandler): () => void {
    let set = this.#handlers.get(method);
    if (!set) this.#handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /** Calls `listener` on every change of the connection state; returns the undo. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener(state);
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== null) this.#options.timers.clear(this.#retryTimer);
    this.#retryTimer = null;
  }

  #connect(): void {
    this.#opened = false;
    this.#setState({ status: "connecting", attempt: this.#attempt });
    let socket: SocketLike;
    try {
      socket = this.#options.createSocket(this.url);
    } catch (error) {
      // An unparsable URL throws synchronously in browsers: treat it as a failed attempt.
      this.#afterClose({ code: 1006, reason: String(error), wasOpen: false });
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#opened = true;
      this.#attempt = 0;
      this.#setState({ status: "open" });
    };
    socket.onmessage = (event) => {
      if (socket !== this.#socket) return;
      if (typeof event.data !== "string") {
        this.#options.onInvalidFrame("a binary frame (the gateway speaks text JSON)");
        return;
      }
      this.#receive(event.data);
    };
    // A browser reports a refused upgrade or a dead server as an error followed by a close: the close does the work.
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#afterClose({ code: event.code, reason: event.reason, wasOpen: this.#opened });
    };
  }

  #afterClose(info: CloseInfo): void {
    this.#failPending(`the connection closed (code ${info.code}${info.reason ? `: ${info.reason}` : ""}) before the answer came`);
    if (!this.#running) return;
    this.#attempt += 1;
    const delayMs = backoffDelay(this.#attempt, this.#options.backoff, this.#options.random);
    this.#retryTimer = this.#options.timers.set(() => {
      this.#retryTimer = null;
      if (this.#running) this.#connect();
    }, delayMs);
    this.#setState({ status: "waiting", attempt: this.#attempt, delayMs, retryAt: this.#options.now() + delayMs, lastClose: info });
  }

  #failPending(why: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(new RpcError({ code: CONNECTION_LOST, message: `${call.method}: ${why}` }));
  }

  #receive(text: string): void {
    for (const frame of parseFrames(text)) {
      if (frame.kind === "invalid") {
        this.#options.onInvalidFrame(frame.reason);
      } else if (frame.kind === "notification") {
        for (const handler of [...(this.#handlers.get(frame.method) ?? [])]) {
          // One view's faulty handler must not keep the notification from the others.
          try {
            handler(frame.params);
          } catch (error) {
            console.error(`handler of ${frame.method} failed`, error);
          }
        }
      } else {
        const call = typeof frame.id === "number" ? this.#pending.get(frame.id) : undefined;
        if (!call) {
          // A parse error answers with id null: nothing to match, but worth seeing.
          if (frame.kind === "error") this.#options.onInvalidFrame(`an error for no waiting call (id ${String(frame.id)}): ${frame.error.message}`);
          else this.#options.onInvalidFrame(`a result for no waiting call (id ${String(frame.id)})`);
          continue;
        }
        this.#pending.delete(frame.id as number);
        if (frame.kind === "result") call.resolve(frame.result);
        else call.reject(new RpcError(frame.error));
      }
    }
  }
}

/** The gateway's WebSocket endpoint for the page at `location`: the same origin, the page's directory. */
export function gatewaySocketUrl(location: { href: string }): string {
  const url = new URL(".", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  url.search = "";
  return url.toString();
}
