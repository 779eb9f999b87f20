// A client of a running kernel's control socket, written here because the CLI's ControlClient is
// bundled into its dist and not exported. The protocol (apps/cli/src/control/protocol.ts): one JSON
// object per line; a request {id, method, params}; zero or more {id, item}; then {id, ok, result|error}.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

/** The socket a running kernel announced in <root>/run/kernel.json. */
export function kernelSocket(root) {
  return JSON.parse(readFileSync(join(root, "run", "kernel.json"), "utf8")).socket;
}

/** Connects; resolves with `{ request, close }`. `request(method, params, onItem)` resolves with the result. */
export function connectControl(socketPath) {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const pending = new Map();
    let nextId = 1;
    let buffered = "";
    socket.setEncoding("utf8");
    socket.setNoDelay?.(true);
    socket.on("data", (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const msg = JSON.parse(line);
        const p = pending.get(msg.id);
        if (!p) continue;
        if ("item" in msg) {
          p.onItem?.(msg.item);
          continue;
        }
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(Object.assign(new Error(`${msg.error.code}: ${msg.error.message}`), { code: msg.error.code }));
      }
    });
    const failAll = (error) => {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    socket.on("error", (error) => {
      reject(error);
      failAll(error);
    });
    socket.on("close", () => failAll(new Error("the kernel closed the control connection")));
    socket.once("connect", () =>
      resolve({
        request(method, params = {}, onItem) {
          const id = nextId++;
          return new Promise((res, rej) => {
            pending.set(id, { resolve: res, reject: rej, onItem });
            socket.write(JSON.stringify({ id, method, params }) + "\n");
          });
        },
        close() {
          socket.end();
        },
      }),
    );
  });
}
