// What the gateway benches share: `ws` (the gateway plugin's own dependency, resolved from there —
// the client speaks the same library the server does), a serving `aleph start` with its gateway on
// a free port, and a small JSON-RPC client.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, kernelEnv, sleep } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
export const gatewayPlugin = resolve(here, "../plugins/gateway");
const fromGateway = createRequire(join(gatewayPlugin, "package.json"));
/** `ws`, as the gateway plugin depends on it. */
export const ws = fromGateway("ws");
export const wsModulePath = fromGateway.resolve("ws");

/** Where the workspace's running gateway listens and its token (read as a client would: listen.json, `aleph gateway token`). */
export async function gatewayOf(workspace, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let info;
  while (!info) {
    try {
      info = JSON.parse(readFileSync(join(workspace.root, "data", "gateway", "listen.json"), "utf8"));
    } catch {
      if (Date.now() > deadline) throw new Error("the gateway wrote no data/gateway/listen.json: is it running?");
      await sleep(50);
    }
  }
  const token = spawnSync(process.execPath, [CLI, "gateway", "token"], { cwd: workspace.cwd, env: kernelEnv(workspace), encoding: "utf8" });
  if (token.status !== 0) throw new Error(`aleph gateway token failed: ${token.stderr}`);
  return { url: `ws://127.0.0.1:${info.port}/`, port: info.port, token: token.stdout.trim() };
}

/** Opens a WebSocket; resolves once open. */
export function openSocket(url, headers = {}) {
  return new Promise((resolvePromise, reject) => {
    const socket = new ws.WebSocket(url, { headers, perMessageDeflate: false });
    socket.once("open", () => resolvePromise(socket));
    socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    socket.once("error", reject);
  });
}

/** A JSON-RPC client on an open socket: `call(method, params, onNotification)` resolves with the response. */
export function rpcClient(socket) {
  let next = 1;
  const pending = new Map();
  let onNotification = () => {};
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.id === undefined) return onNotification(message);
    const resolvePending = pending.get(message.id);
    pending.delete(message.id);
    resolvePending?.(message);
  });
  return {
    call(method, params, notify = () => {}) {
      const id = next++;
      onNotification = notify;
      return new Promise((resolvePromise) => {
        pending.set(id, resolvePromise);
        socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) }));
      });
    },
    close: () => socket.close(),
  };
}
