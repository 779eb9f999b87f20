/*
 * A stand-in for the browser's WebSocket, driven by the test from the server's side: accept or
 * refuse the connection, deliver frames, drop it with a close code. `ws` is not resolvable from
 * apps/web (not one of its dependencies), and the client only ever touches the browser API
 * (readyState, send, close, on*), so this object mimics exactly that API; the real thing —
 * Chromium's WebSocket against the real gateway — is covered by test/control-page.test.ts.
 * Timers are manual too: reconnect delays are read, and fired, without waiting.
 */
import type { SocketLike, Timers } from "../src/rpc/client.js";

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  closedByClient: { code?: number; reason?: string } | undefined;

  constructor(readonly url: string) {}

  send(data: string): void {
    // As a browser does: sending on a socket that is not open is an InvalidStateError.
    if (this.readyState !== 1) throw new Error("InvalidStateError: the socket is not open");
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code: code ?? 1005, reason: reason ?? "" });
  }

  // ---- the server's side

  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The upgrade refused (a 401, nothing listening): a browser reports an error, then close 1006. */
  refuse(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: "" });
  }

  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  deliver(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The frames the client sent, parsed. */
  frames(): { jsonrpc: string; id?: number; method: string; params?: unknown }[] {
    return this.sent.map((text) => JSON.parse(text));
  }

  answer(id: number | undefined, result: unknown): void {
    this.deliver({ jsonrpc: "2.0", id, result });
  }
}

/** Makes the sockets the client asks for and keeps them, in order. */
export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly create = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  get last(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error("no socket was created");
    return socket;
  }
}

/** Timers that run only when the test says so. */
export class ManualTimers implements Timers {
  #next = 1;
  readonly pending = new Map<number, { ms: number; callback: () => void }>();

  set(callback: () => void, ms: number): number {
    const id = this.#next++;
    this.pending.set(id, { ms, callback });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The delays of the timers waiting. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }

  /** Runs every timer waiting now. */
  fire(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, timer] of due) timer.callback();
  }
}
