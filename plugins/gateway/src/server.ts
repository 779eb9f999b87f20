import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { AlephError, errorMessage, importSibling, type PluginContext } from "@aleph/plugin-sdk";
import type { GatewayConfig } from "./config.js";
import { removeListenFile, writeListenFile } from "./listen-file.js";
import type { VaultLocation } from "./token.js";

/*
 * The gateway's HTTP server, as the entry sets it up at every start: created and listening in
 * setup (so a port in use fails the plugin, saying so), and nothing else. What it serves — the
 * routes, authentication, the WebSocket endpoint and its JSON-RPC — is in dist/runtime.js,
 * imported on the first request; `ws` is imported by the runtime on the first upgrade.
 */

type RuntimeModule = typeof import("./runtime.js");
type Gateway = ReturnType<RuntimeModule["createGateway"]>;
const runtimeModule = () => importSibling<RuntimeModule>(import.meta.url, "runtime");

export interface GatewayServer {
  host: string;
  /** The port it listens on (the OS's choice with `port = 0`). */
  port: number;
  /** Says where it listens: data/gateway/listen.json and a line in gateway.log. */
  announce(): void;
  /** Closes every connection (WebSockets with `code`: 1012 for a restart, 1001 when Aleph stops) and the listening port. */
  close(code: 1001 | 1012): Promise<void>;
}

export interface ServerOptions {
  config: GatewayConfig;
  vault: VaultLocation;
}

/** How long closing waits for WebSockets to finish their close handshake before cutting them. */
const CLOSE_GRACE_MS = 500;

export async function startGatewayServer(ctx: PluginContext<GatewayConfig>, options: ServerOptions): Promise<GatewayServer> {
  const { config } = options;
  const server = createServer();
  // Slow or idle HTTP clients do not hold sockets for long (a WebSocket leaves these timers behind).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = Math.max(256, config.max_connections * 2);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  let address = { host: config.host, port: config.port };
  let gateway: Promise<Gateway> | undefined;
  const load = (): Promise<Gateway> =>
    (gateway ??= runtimeModule().then((runtime) =>
      runtime.createGateway({ ctx, config, vault: options.vault, address: () => address }),
    ));

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    load().then(
      (g) => g.handleRequest(req, res),
      (error: unknown) => {
        ctx.log.error("the gateway's runtime could not be loaded", { error });
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("the gateway's runtime could not be loaded: see logs/gateway.log\n");
      },
    );
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined); // a client that vanishes mid-upgrade must not crash the kernel
    load().then(
      (g) => g.handleUpgrade(req, socket, head),
      (error: unknown) => {
        ctx.log.error("the gateway's runtime could not be loaded", { error });
        socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      },
    );
  });

  await listen(server, config);
  const bound = server.address();
  if (bound && typeof bound === "object") address = { host: config.host, port: bound.port };
  server.on("error", (error) => ctx.log.error("the gateway's server failed", { error }));

  let closing: Promise<void> | undefined;
  const close = (code: 1001 | 1012) =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const reason = code === 1001 ? "Aleph is stopping" : "the gateway is restarting";
      if (gateway) await (await gateway.catch(() => undefined))?.close(code, reason, CLOSE_GRACE_MS);
      for (const socket of sockets) socket.destroy();
      await closed;
      removeListenFile(ctx.paths.data);
    })());

  const announce = () => {
    ctx.log.info("gateway listening", { host: address.host, port: address.port, requireAuth: config.require_auth });
    try {
      writeListenFile(ctx.paths.data, { host: address.host, port: address.port, pid: process.pid, startedAt: new Date().toISOString() });
    } catch (error) {
      // The gateway serves regardless; only `aleph gateway url` (and tools reading the file) miss it.
      ctx.log.error("could not write data/gateway/listen.json", { error });
    }
  };
  return { ...address, announce, close };
}

function listen(server: ReturnType<typeof createServer>, config: GatewayConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(error, config));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ host: config.host, port: config.port, exclusive: true });
  });
}

/** A listen failure in words that say what to change. */
function listenError(error: NodeJS.ErrnoException, config: GatewayConfig): AlephError {
  const where = `${config.host}:${config.port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new AlephError("ALEPH_E_PORT_IN_USE", `port ${config.port} is in use (by another aleph?): the gateway cannot listen on ${where}`, {
        fix: "stop what listens there, or set [gateway] port in config.toml to a free port (0: any free port)",
        cause: error,
      });
    case "EACCES":
      return new AlephError("ALEPH_E_CONFIG", `the gateway may not listen on ${where} (permission denied)`, {
        fix: "set [gateway] port to 1024 or above",
        cause: error,
      });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new AlephError("ALEPH_E_CONFIG", `the gateway cannot listen on ${where}: ${config.host} is not an address of this machine`, {
        fix: 'set [gateway] host to an address of this machine ("127.0.0.1" for this machine only)',
        cause: error,
      });
    default:
      return new AlephError("ALEPH_E_SETUP", `the gateway cannot listen on ${where}: ${errorMessage(error)}`, { fix: "check [gateway] host and port", cause: error });
  }
}
