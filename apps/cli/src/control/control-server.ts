import { createHash } from "node:crypto";
import { chmodSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlephError, errorMessage, isAlephError } from "@aleph/plugin-sdk";
import { MAX_CONTROL_LINE, parseControlRequest, requestIdOf, type ControlResponse } from "./control-protocol.js";

export type ControlHandler = (params: Record<string, unknown>) => unknown;

/** The control socket of a root: run/control.sock, or a short path in tmp when that is too long for a socket. */
export function controlSocketPath(runDir: string): string {
  const preferred = join(runDir, "control.sock");
  if (Buffer.byteLength(preferred) < 100) return preferred;
  return join(tmpdir(), `aleph-${createHash("sha256").update(runDir).digest("hex").slice(0, 16)}.sock`);
}

/** An error as the protocol carries it: code and message, and the fix, file and line an AlephError has. */
function errorOf(error: unknown): { code: string; message: string; fix?: string; file?: string; line?: number } {
  if (!isAlephError(error)) return { code: "ALEPH_E_RPC", message: errorMessage(error) };
  const { code, fix, file, line } = error as AlephError;
  return { code, message: errorMessage(error), ...(typeof fix === "string" ? { fix } : {}), ...(typeof file === "string" ? { file } : {}), ...(typeof line === "number" ? { line } : {}) };
}

/**
 * Serves the control protocol on a Unix socket (for `aleph status` and friends). `redact` scrubs
 * secrets out of every error answered (a service's error can quote whatever it had in hand).
 */
export async function startControlServer(
  socketPath: string,
  handlers: Record<string, ControlHandler>,
  redact: (text: string) => string = (text) => text,
): Promise<{ close(): Promise<void> }> {
  rmSync(socketPath, { force: true }); // a socket file left by a dead kernel (the lock proved it dead)
  const server: Server = createServer((socket) => {
    let buffer = "";
    let chain = Promise.resolve();
    socket.setEncoding("utf8");
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_CONTROL_LINE && !buffer.includes("\n")) {
        socket.end(JSON.stringify({ id: null, ok: false, error: { code: "ALEPH_E_RPC", message: "request line too long" } }) + "\n");
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === "") continue;
        chain = chain.then(async () => {
          let response: ControlResponse;
          try {
            const request = parseControlRequest(line);
            const handler = handlers[request.method];
            if (!handler) throw new AlephError("ALEPH_E_RPC", `unknown method "${request.method}" (known: ${Object.keys(handlers).join(", ")})`);
            response = { id: request.id, ok: true, result: await handler(request.params) };
          } catch (error) {
            const answer = errorOf(error);
            answer.message = redact(answer.message);
            if (answer.fix !== undefined) answer.fix = redact(answer.fix);
            response = { id: requestIdOf(line), ok: false, error: answer };
          }
          if (!socket.destroyed) socket.write(JSON.stringify(response) + "\n");
        });
      }
    });
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
        rmSync(socketPath, { force: true });
      }),
  };
}

/** Sends one request to a running kernel and returns its result (throws its error). */
export function controlRequest(socketPath: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AlephError("ALEPH_E_RPC", `the kernel did not answer "${method}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(JSON.stringify({ id: 1, method, params }) + "\n"));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        const response = JSON.parse(buffer.slice(0, nl)) as ControlResponse;
        if (response.ok) resolve(response.result);
        else {
          const { code, message, fix, file, line } = response.error;
          reject(new AlephError(code as "ALEPH_E_RPC", message, { ...(fix === undefined ? {} : { fix }), ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) }));
        }
      } catch (error) {
        reject(new AlephError("ALEPH_E_RPC", `the kernel answered something that is not JSON: ${errorMessage(error)}`));
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(new AlephError("ALEPH_E_RPC", `cannot reach the kernel at ${socketPath}: ${error.message}`));
    });
  });
}
