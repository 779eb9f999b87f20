import type { Disposable, Logger } from "@aleph/plugin-sdk";
import type { RawData, WebSocket } from "ws";
import type { AuthMethod } from "../auth/credentials.js";
import type { RpcClient } from "../rpc/client.js";
import { answerFrame } from "../rpc/frames.js";
import type { Dispatch } from "../rpc/dispatch.js";
import { errorResponse, INTERNAL_ERROR, INVALID_REQUEST, peekId, RATE_LIMITED } from "../rpc/protocol.js";
import { RateLimiter } from "./rate-limit.js";

/*
 * One WebSocket client: its frames in (rate limited, each answered or refused), its frames out
 * (scrubbed of secrets; a client that does not read them is cut off before its backlog fills the
 * kernel's memory), and its end — which aborts its turns and ends its subscriptions. Nothing a
 * client sends can throw out of here: every frame's work is caught and answered.
 */

export interface ConnectionInfo {
  id: string;
  remote: string | undefined;
  origin: string | undefined;
  userAgent: string | undefined;
  auth: AuthMethod;
}

export interface ConnectionDeps {
  log: Logger;
  rateLimit: number;
  dispatch: Dispatch;
  /** Scrubs secrets out of an outgoing frame's text. */
  scrub: (text: string) => string;
  onClosed: (connection: Connection) => void;
}

/** Unsent bytes past which a client is a slow reader and is closed (1013). */
export const SLOW_READER_BYTES = 8 * 1024 * 1024;
/** How long a close handshake may take before the socket is cut. */
const CLOSE_TIMEOUT_MS = 2_000;
const OPEN = 1;

export class Connection implements RpcClient {
  readonly id: string;
  readonly subscriptions = new Map<string, Disposable>();
  runningTurns = 0;
  /** Answered the last ping (the gateway's heartbeat terminates a connection that did not). */
  alive = true;
  readonly #ws: WebSocket;
  readonly #info: ConnectionInfo;
  readonly #deps: ConnectionDeps;
  readonly #controller = new AbortController();
  readonly #limiter: RateLimiter;
  readonly #openedAt = performance.now();
  #frames = 0;
  #limited = 0;
  #warnedLimit = false;
  #closing = false;

  constructor(ws: WebSocket, info: ConnectionInfo, deps: ConnectionDeps) {
    this.id = info.id;
    this.#ws = ws;
    this.#info = info;
    this.#deps = deps;
    this.#limiter = new RateLimiter(deps.rateLimit, performance.now());
    ws.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on("pong", () => (this.alive = true));
    // ws reports protocol violations (a frame over max_payload_bytes: it closes with 1009) here first.
    ws.on("error", (error) => deps.log.info("connection error", { conn: this.id, error: error.message, code: (error as { code?: string }).code }));
    ws.on("close", (code, reason) => this.#onClose(code, reason.toString("utf8")));
    deps.log.info("connection opened", { conn: this.id, remote: info.remote, origin: info.origin, userAgent: info.userAgent, auth: info.auth });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** Sends one frame (an object, or an array of responses), if the connection is open. */
  send(frame: object): void {
    if (this.#ws.readyState !== OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (error) {
      this.#deps.log.error("a frame could not be serialised", { conn: this.id, error });
      const id = (frame as { id?: unknown }).id;
      text = JSON.stringify(errorResponse(typeof id === "string" || typeof id === "number" ? id : null, { code: INTERNAL_ERROR, message: "internal error: the answer could not be written as JSON" }));
    }
    this.#ws.send(this.#deps.scrub(text));
    if (this.#ws.bufferedAmount > SLOW_READER_BYTES) {
      this.#deps.log.warn("closing a slow reader", { conn: this.id, unsentBytes: this.#ws.bufferedAmount });
      this.close(1013, "too much unsent data: read your messages");
    }
  }

  /** Closes with `code`; a client that does not answer the close handshake is cut off. */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), CLOSE_TIMEOUT_MS).unref();
  }

  /** Ends the connection at once (a dead peer, a gateway that cannot wait). */
  terminate(): void {
    this.#ws.terminate();
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<void> {
    if (this.#ws.readyState === 3) return Promise.resolve();
    return new Promise((resolve) => this.#ws.once("close", () => resolve()));
  }

  ping(): void {
    if (this.#ws.readyState === OPEN) this.#ws.ping();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    this.#frames++;
    const text = isBinary ? undefined : toText(data);
    const verdict = this.#limiter.take(performance.now());
    if (!verdict.ok) {
      this.#limited++;
      if (verdict.flood) {
        this.#deps.log.warn("closing a flooding client", { conn: this.id, frames: this.#frames, limited: this.#limited });
        this.close(1008, "rate limit exceeded for too long");
        return;
      }
      if (!this.#warnedLimit) {
        this.#warnedLimit = true;
        this.#deps.log.warn("rate limiting a client", { conn: this.id, rateLimit: this.#deps.rateLimit });
      }
      this.send(errorResponse(text === undefined ? null : peekId(text), { code: RATE_LIMITED, message: "rate limited: the request was not run", data: { retryAfterMs: verdict.retryAfterMs } }));
      return;
    }
    if (text === undefined) {
      this.send(errorResponse(null, { code: INVALID_REQUEST, message: "binary frames are not JSON-RPC: send each request as a text frame" }));
      return;
    }
    answerFrame(text, {
      run: (request) => this.#deps.dispatch(request, this),
      admitBatch: (extra) => {
        const more = this.#limiter.take(performance.now(), extra);
        return more.ok ? more : { ok: false, retryAfterMs: more.retryAfterMs };
      },
    }).then(
      (response) => {
        if (response !== undefined) this.send(response);
      },
      (error: unknown) => {
        this.#deps.log.error("a frame failed", { conn: this.id, error });
        this.send(errorResponse(null, { code: INTERNAL_ERROR, message: "internal error" }));
      },
    );
  }

  #onClose(code: number, reason: string): void {
    this.#closing = true;
    this.#controller.abort(new Error("the connection closed"));
    for (const subscription of this.subscriptions.values()) void subscription.dispose();
    this.subscriptions.clear();
    this.#deps.log.info("connection closed", {
      conn: this.id,
      code,
      ...(reason ? { reason } : {}),
      ms: Math.round(performance.now() - this.#openedAt),
      frames: this.#frames,
      ...(this.#limited > 0 ? { limited: this.#limited } : {}),
      auth: this.#info.auth,
    });
    this.#deps.onClosed(this);
  }
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}
