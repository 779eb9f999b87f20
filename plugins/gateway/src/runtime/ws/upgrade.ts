import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "@aleph/plugin-sdk";
import type { WebSocket, WebSocketServer } from "ws";
import { authenticate, type AuthMethod } from "../auth/credentials.js";
import type { OriginPolicy } from "../auth/origins.js";
import type { TokenSource } from "../auth/token-source.js";

/*
 * The door of the WebSocket endpoint (docs/gateway.md, "Authentication"). Every check happens on
 * the HTTP upgrade request, before any WebSocket exists: the path (the root), the Origin (403),
 * room for one more connection (503), the token — Bearer header or the page's cookie (401). A
 * refused request gets a plain HTTP answer and its socket is closed; nothing reaches a method.
 * `ws` is imported here, on the first upgrade that passes, not when the kernel starts.
 */

export interface UpgradeDeps {
  log: Logger;
  requireAuth: boolean;
  maxPayloadBytes: number;
  maxConnections: number;
  tokens: TokenSource;
  origins: OriginPolicy;
  /** Connections open now. */
  connections: () => number;
  /** A new WebSocket passed the door. */
  accept: (ws: WebSocket, request: IncomingMessage, auth: AuthMethod) => void;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  fix: string;
  headers?: Record<string, string>;
}

export function createUpgradeHandler(deps: UpgradeDeps): { handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>; closing(): void } {
  let server: Promise<WebSocketServer> | undefined;
  let closing = false;
  const wsServer = () =>
    (server ??= import("ws").then(({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: deps.maxPayloadBytes, perMessageDeflate: false, clientTracking: false })));

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const checked: Refusal | AuthMethod = closing ? { status: 503, code: "ALEPH_E_UNAVAILABLE", message: "the gateway is restarting", fix: "connect again in a moment" } : await check(req);
    if (typeof checked === "object") {
      deps.log.warn("upgrade refused", { why: checked.message, status: checked.status, remote: req.socket.remoteAddress, origin: req.headers.origin, userAgent: req.headers["user-agent"] });
      refuse(socket, checked);
      return;
    }
    const auth = checked;
    const wss = await wsServer();
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => deps.accept(ws, req, auth));
  }

  /** Why the request is refused, or how it authenticated. */
  async function check(req: IncomingMessage): Promise<Refusal | AuthMethod> {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/") return { status: 404, code: "ALEPH_E_NOT_FOUND", message: `no WebSocket endpoint at ${path}`, fix: "connect to the root path: ws://<host>:<port>/" };
    const origin = req.headers.origin;
    if (!deps.origins.allows(origin)) {
      return { status: 403, code: "ALEPH_E_ORIGIN", message: `origin ${origin} is not allowed`, fix: "open the control page from the gateway's own address, or add the origin to [gateway] allowed_origins" };
    }
    if (deps.connections() >= deps.maxConnections) {
      return { status: 503, code: "ALEPH_E_LIMIT", message: `the gateway has ${deps.maxConnections} connections already`, fix: "close another client, or raise [gateway] max_connections", headers: { "retry-after": "5" } };
    }
    if (!deps.requireAuth) return "none";
    const token = await deps.tokens.current();
    const method = authenticate(req, token);
    if (method !== undefined) return method;
    const presented = req.headers.authorization !== undefined || /(?:^|;\s*)aleph_gateway=/.test(req.headers.cookie ?? "");
    return {
      status: 401,
      code: "ALEPH_E_AUTH",
      message: token === undefined ? "the gateway has no token to check against" : presented ? "wrong token (or an expired login)" : "no token: send Authorization: Bearer <token>",
      fix: "`aleph gateway token` prints the token; programs send it as Authorization: Bearer <token>, the control page logs in with it",
      headers: { "www-authenticate": 'Bearer realm="aleph-gateway"' },
    };
  }

  return {
    handle,
    closing() {
      closing = true;
    },
  };
}

function refuse(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const body = `${JSON.stringify({ error: { code: refusal.code, message: refusal.message, fix: refusal.fix } })}\n`;
  const headers = {
    connection: "close",
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    ...refusal.headers,
  };
  const head = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join("\r\n");
  socket.end(`${head}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1_000).unref();
}
