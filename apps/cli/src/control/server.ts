import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { AlephError } from "@aleph/plugin-sdk";
export { controlSocketPath } from "./socket-path.js";
import { MAX_CONTROL_LINE, parseControlRequest, requestIdOf, toWireError, type ControlRequest, type ControlResponse, type RequestId } from "./protocol.js";

/**
 * Answers one method. A handler that returns an async iterable streams it: each item is sent as
 * it comes, then the response. `signal` aborts when the client cancels or goes away.
 */
export type ControlHandler = (params: Record<string, unknown>, signal: AbortSignal) => unknown;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

/** One client connection: its requests run concurrently, each answered under its id. */
class Connection {
  #buffer = "";
  #running = new Map<RequestId, AbortController>();

  constructor(
    readonly socket: Socket,
    readonly handlers: Record<string, ControlHandler>,
    readonly redact: (text: string) => string,
  ) {
    socket.setEncoding("utf8");
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      for (const controller of this.#running.values()) controller.abort();
      this.#running.clear();
    });
    socket.on("data", (chunk: string) => this.#receive(chunk));
  }

  #send(response: ControlResponse): void {
    if (!this.socket.destroyed) this.socket.write(JSON.stringify(response) + "\n");
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    if (this.#buffer.length > MAX_CONTROL_LINE && !this.#buffer.includes("\n")) {
      this.socket.end(JSON.stringify({ id: null, ok: false, error: { code: "ALEPH_E_RPC", message: "request line too long" } }) + "\n");
      return;
    }
    let nl: number;
    while ((nl = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, nl).trim();
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line !== "") this.#handleLine(line);
    }
  }

  #handleLine(line: string): void {
    let request;
    try {
      request = parseControlRequest(line);
    } catch (error) {
      this.#send({ id: requestIdOf(line), ok: false, error: toWireError(error) });
      return;
    }
    if ("cancel" in request) {
      this.#running.get(request.id)?.abort();
      return;
    }
    void this.#run(request);
  }

  async #run(request: ControlRequest): Promise<void> {
    const controller = new AbortController();
    this.#running.set(request.id, controller);
    try {
      const handler = this.handlers[request.method];
      if (!handler) throw new AlephError("ALEPH_E_RPC", `unknown method "${request.method}" (known: ${Object.keys(this.handlers).join(", ")})`);
      const result = await handler(request.params, controller.signal);
      if (isAsyncIterable(result)) {
        const iterator = result[Symbol.asyncIterator]();
        const stop = () => void iterator.return?.();
        controller.signal.addEventListener("abort", stop, { once: true });
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done || controller.signal.aborted) break;
            this.#send({ id: request.id, item: next.value });
          }
        } finally {
          controller.signal.removeEventListener("abort", stop);
        }
        this.#send({ id: request.id, ok: true, result: null });
      } else {
        this.#send({ id: request.id, ok: true, result });
      }
    } catch (error) {
      const answer = toWireError(error);
      answer.message = this.redact(answer.message);
      if (answer.fix !== undefined) answer.fix = this.redact(answer.fix);
      this.#send({ id: request.id, ok: false, error: answer });
    } finally {
      this.#running.delete(request.id);
    }
  }
}

/**
 * Serves the control protocol on a Unix socket (protocol.ts). `redact` scrubs secrets out of
 * every error answered (a service's error can quote whatever it had in hand).
 */
export async function startControlServer(
  socketPath: string,
  handlers: Record<string, ControlHandler>,
  redact: (text: string) => string = (text) => text,
): Promise<{ close(): Promise<void> }> {
  rmSync(socketPath, { force: true }); // a socket file left by a dead kernel (the lock proved it dead)
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new Connection(socket, handlers, redact);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Only the owner may connect: the socket reaches every service of the kernel.
    server.listen(socketPath, () => {
      chmodSync(socketPath, 0o600);
      resolve();
    });
  });
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open streams (`aleph events tail`) end with the kernel.
        for (const socket of sockets) socket.destroy();
        rmSync(socketPath, { force: true });
      }),
  };
}
