import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { REDACTED, type PluginContext } from "@aleph/plugin-sdk";
import type { GatewayConfig } from "../config.js";
import type { VaultLocation } from "../token.js";
import { OriginPolicy } from "./auth/origins.js";
import { TokenSource } from "./auth/token-source.js";
import { EventHub } from "./events/event-hub.js";
import { createHttpHandler } from "./http/routes.js";
import { StaticFiles } from "./http/static-files.js";
import { createMethods } from "./methods/index.js";
import { CallLog } from "./rpc/call-log.js";
import { createDispatcher } from "./rpc/dispatch.js";
import { TurnRegistry } from "./turns/turn-registry.js";
import { Connection } from "./ws/connection.js";
import { Connections } from "./ws/connections.js";
import { createUpgradeHandler } from "./ws/upgrade.js";

/*
 * The gateway of one plugin generation, put together on its first request: the HTTP routes, the
 * WebSocket door, the connections, the methods and what they share (the turns by idempotency key,
 * the event fan-out). `close` ends it all: connections closed (1012 on a restart), turns aborted.
 */

export interface GatewayDeps {
  ctx: PluginContext<GatewayConfig>;
  config: GatewayConfig;
  vault: VaultLocation;
  /** Where the server listens (known once it does). */
  address: () => { host: string; port: number };
}

export interface Gateway {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(code: number, reason: string, graceMs: number): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { ctx, config } = deps;
  const log = ctx.log;
  const tokens = new TokenSource(deps.vault, log);
  // Known early, so it can be scrubbed from frames even where no client had to present it.
  void tokens.current();
  const origins = new OriginPolicy(config.allowed_origins, deps.address);
  const connections = new Connections(String(ctx.generation));
  const stopping = new AbortController();
  const turns = new TurnRegistry({ log, signal: AbortSignal.any([ctx.signal, stopping.signal]) });
  const hub = new EventHub(ctx.events);
  const calls = new CallLog(log);
  const dispatch = createDispatcher(createMethods({ ctx, turns, hub, connections: () => connections.size }), log, calls);

  /** Nothing the gateway sends carries a secret the kernel knows, nor the gateway's token. */
  const scrub = (text: string): string => {
    const out = ctx.redact(text);
    const token = tokens.known;
    return token !== undefined && out.includes(token) ? out.split(token).join(REDACTED) : out;
  };

  const upgrade = createUpgradeHandler({
    log,
    requireAuth: config.require_auth,
    maxPayloadBytes: config.max_payload_bytes,
    maxConnections: config.max_connections,
    tokens,
    origins,
    connections: () => connections.size,
    accept: (ws, req, auth) => {
      const connection = new Connection(
        ws,
        { id: connections.nextId(), remote: req.socket.remoteAddress, origin: req.headers.origin, userAgent: req.headers["user-agent"], auth },
        { log, rateLimit: config.rate_limit, dispatch, scrub, onClosed: (c) => connections.delete(c) },
      );
      connections.add(connection);
    },
  });

  const http = createHttpHandler({ log, requireAuth: config.require_auth, tokens, origins, files: new StaticFiles(join(ctx.paths.plugin, "dist", "web")) });

  return {
    handleRequest: http,
    handleUpgrade(req, socket, head) {
      upgrade.handle(req, socket, head).catch((error: unknown) => {
        log.error("an upgrade failed", { error, remote: req.socket.remoteAddress });
        socket.destroy();
      });
    },
    async close(code, reason, graceMs) {
      upgrade.closing();
      stopping.abort(new Error("the gateway is stopping"));
      await connections.closeAll(code, reason, graceMs);
      calls.flush();
    },
  };
}
