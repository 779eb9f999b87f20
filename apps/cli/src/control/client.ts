import { connect, type Socket } from "node:net";
import { AlephError, errorMessage } from "@aleph/plugin-sdk/core";
import { fromWireError, MAX_CONTROL_LINE, type ControlResponse, type RequestId } from "./protocol.js";

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onItem?: (item: unknown) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Fail when no answer came in this time (default: wait; a cancellable call is ended by its signal). */
  timeoutMs?: number;
  /** Called with each streamed item before the final response. */
  onItem?: (item: unknown) => void;
}

/** The kernel ended the control connection (it stopped): pending and later requests fail with this. */
export class KernelClosedError extends AlephError {
  constructor() {
    super("ALEPH_E_RPC", "the kernel closed the control connection", { fix: "check `aleph status`; the kernel may have stopped" });
  }
}

/**
 * A connection to a running kernel's control socket (protocol.ts): requests run concurrently,
 * matched to their answers by id; aborting a request's signal sends a cancel for it.
 */
export class ControlClient {
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #pending = new Map<RequestId, Pending>();
  #nextId = 1;
  #buffer = "";
  /** Why the connection is over (the kernel closed it, or it broke): every later request fails at once with it. */
  #ended: Error | undefined;

  constructor(readonly socketPath: string) {}

  #connect(): Promise<Socket> {
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect(this.socketPath);
      socket.setEncoding("utf8");
      socket.once("connect", () => {
        this.#socket = socket;
        resolve(socket);
      });
      socket.on("data", (chunk: string) => this.#receive(chunk));
      let connected = false;
      socket.once("connect", () => (connected = true));
      socket.on("error", (error) => {
        // Once connected, a reset is the kernel going away (a stopping kernel destroys its connections).
        const failure = connected
          ? new KernelClosedError()
          : new AlephError("ALEPH_E_RPC", `cannot reach the kernel at ${this.socketPath}: ${error.message}`, { fix: "check `aleph status`; the kernel may have stopped" });
        this.#ended ??= failure;
        reject(failure);
        this.#failAll(failure);
      });
      socket.on("close", () => {
        // Without this, a request after the close would write to a dead socket and wait forever.
        this.#ended ??= new KernelClosedError();
        this.#socket = undefined;
        reject(this.#ended);
        this.#failAll(this.#ended);
      });
    });
    return this.#connecting;
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      let response: ControlResponse;
      try {
        response = JSON.parse(line) as ControlResponse;
      } catch (error) {
        this.#failAll(new AlephError("ALEPH_E_RPC", `the kernel answered something that is not JSON: ${errorMessage(error)}`));
        continue;
      }
      const pending = response.id === null ? undefined : this.#pending.get(response.id);
      if (!pending) continue; // an answer to a request given up on
      if ("item" in response) {
        pending.onItem?.(response.item);
        continue;
      }
      this.#pending.delete(response.id!);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(fromWireError(response.error));
    }
  }

  /** Sends one request and resolves with its result (rejects with its error). */
  async request(method: string, params: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<unknown> {
    const id = this.#nextId++;
    const line = JSON.stringify({ id, method, params });
    if (line.length > MAX_CONTROL_LINE) {
      throw new AlephError("ALEPH_E_LIMIT", `the request "${method}" is ${line.length} characters of JSON, over the running kernel's control-socket limit of ${MAX_CONTROL_LINE}`, {
        fix: "send less; or stop the running kernel and run the command again (it then starts the plugins in this process, where the limit does not apply)",
      });
    }
    if (options.signal?.aborted) throw new AlephError("ALEPH_E_CANCELLED", `"${method}" was cancelled`);
    if (this.#ended) throw this.#ended;
    const socket = await this.#connect();
    if (this.#ended) throw this.#ended;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (!this.#pending.has(id)) return;
        if (!socket.destroyed) socket.write(JSON.stringify({ id, cancel: true }) + "\n");
        settle(() => reject(new AlephError("ALEPH_E_CANCELLED", `"${method}" was cancelled`)));
      };
      const settle = (finish: () => void) => {
        this.#pending.delete(id);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        finish();
      };
      this.#pending.set(id, {
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
        ...(options.onItem ? { onItem: options.onItem } : {}),
      });
      options.signal?.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          if (!socket.destroyed) socket.write(JSON.stringify({ id, cancel: true }) + "\n");
          settle(() => reject(new AlephError("ALEPH_E_RPC", `the kernel did not answer "${method}" within ${options.timeoutMs} ms`)));
        }, options.timeoutMs);
      }
      socket.write(line + "\n");
    });
  }

  /** Sends a streaming request and yields its items as they arrive; ends with the response. */
  async *stream(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): AsyncIterable<unknown> {
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: Error | undefined;
    const inner = new AbortController();
    const forward = () => inner.abort();
    signal?.addEventListener("abort", forward, { once: true });
    const done = this.request(method, params, {
      signal: inner.signal,
      onItem: (item) => {
        queue.push(item);
        wake?.();
      },
    }).then(
      () => {
        finished = true;
        wake?.();
      },
      (error: Error) => {
        finished = true;
        // A stream its caller stopped simply ends.
        if ((error as AlephError).code !== "ALEPH_E_CANCELLED") failure = error;
        wake?.();
      },
    );
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift();
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure) throw failure;
    } finally {
      // The consumer stopped early (break, return, an error): the kernel stops the stream too.
      if (!finished) inner.abort();
      signal?.removeEventListener("abort", forward);
      await done;
    }
  }

  close(): void {
    this.#socket?.end();
    this.#socket = undefined;
    this.#connecting = undefined;
    this.#ended = undefined;
  }
}

/** One request on a connection of its own (for commands that ask one thing). */
export async function controlRequest(socketPath: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  const client = new ControlClient(socketPath);
  try {
    return await client.request(method, params, { timeoutMs });
  } finally {
    client.close();
  }
}
