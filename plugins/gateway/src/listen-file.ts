import { readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@aleph/plugin-sdk";

/*
 * data/gateway/listen.json: where the running gateway listens, written (0600) once it does and the
 * kernel is ready. With
 * `port = 0` the port is only known then, so tests, `aleph gateway url` and other local tools read
 * it here. Removed when the gateway stops; a file left by a crashed kernel names a dead pid.
 */

export const LISTEN_FILE = "listen.json";

export interface ListenInfo {
  host: string;
  port: number;
  pid: number;
  /** ISO 8601: when the server started listening. */
  startedAt: string;
}

export function listenFilePath(dataDir: string): string {
  return join(dataDir, LISTEN_FILE);
}

export function writeListenFile(dataDir: string, info: ListenInfo): void {
  // Synchronous (a start-up path: no trip through the thread pool) and not durable: it describes
  // this process, which a power loss ends anyway.
  writeFileAtomicSync(listenFilePath(dataDir), `${JSON.stringify(info)}\n`, { durable: false });
}

/** The listen file's content, or undefined when there is none or it is not one. */
export function readListenFile(dataDir: string): ListenInfo | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(listenFilePath(dataDir), "utf8"));
  } catch {
    return undefined;
  }
  const info = data as Partial<ListenInfo> | null;
  if (typeof info?.host !== "string" || typeof info.port !== "number" || typeof info.pid !== "number") return undefined;
  return { host: info.host, port: info.port, pid: info.pid, startedAt: typeof info.startedAt === "string" ? info.startedAt : "" };
}

/** Removes the file if it still describes this process (a newer gateway's file is left alone). */
export function removeListenFile(dataDir: string, pid = process.pid): void {
  if (readListenFile(dataDir)?.pid !== pid) return;
  try {
    unlinkSync(listenFilePath(dataDir));
  } catch {
    // gone already
  }
}

/** The URL form of a host: IPv6 in brackets; a wildcard address as the loopback one a local client reaches. */
export function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** The gateway's URLs: the WebSocket endpoint and the control page (the same root path). */
export function gatewayUrls(info: { host: string; port: number }): { ws: string; http: string } {
  const authority = `${urlHost(info.host)}:${info.port}`;
  return { ws: `ws://${authority}/`, http: `http://${authority}/` };
}
