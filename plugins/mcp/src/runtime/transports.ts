import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { ServerConfig } from "../config.js";
import type { StderrLog } from "./stderr-log.js";

/*
 * The connection to one server, as the MCP SDK's transports make it.
 *
 * stdio: the SDK's StdioClientTransport spawns the command (no shell) with the SDK's minimal
 * environment — HOME, LOGNAME, PATH, SHELL, TERM, USER — plus the entry's `env`, and nothing else
 * of the kernel's: no provider keys, no ALEPH_VAULT_PASSPHRASE. Its working directory is the state
 * root or the entry's `cwd`; its stderr is piped to the plugin's log. Closing the transport ends
 * the process: stdin closed, then SIGTERM, then SIGKILL (2 s apart).
 *
 * HTTP: the SDK's StreamableHTTPClientTransport to `url`, with the entry's headers and bearer token.
 */

/** The longest the DELETE that ends an HTTP session may hold up a stop. */
const END_SESSION_WAIT_MS = 2000;

/** A failure that trying again will not fix (a missing command or folder, refused credentials): the server is `failed`. */
export class PermanentFailure extends Error {
  override readonly name = "PermanentFailure";
}

export interface OpenedTransport {
  transport: Transport;
  /** The stdio server's process id once spawned. */
  pid(): number | undefined;
  /** HTTP: ends the server-side session (best effort); stdio: nothing. */
  endSession(): Promise<void>;
}

export async function openTransport(server: ServerConfig, options: { root: string; stderr: StderrLog }): Promise<OpenedTransport> {
  if (server.url !== undefined) {
    const headers: Record<string, string> = { ...server.headers };
    if (server.bearer_token !== undefined) headers.Authorization = `Bearer ${server.bearer_token}`;
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } });
    return {
      transport,
      pid: () => undefined,
      // Best effort, and bounded: an unreachable server must not hold up the kernel's stop.
      endSession: () => Promise.race([transport.terminateSession().catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, END_SESSION_WAIT_MS).unref())]),
    };
  }
  const cwd = resolve(options.root, server.cwd ?? ".");
  // spawn reports a missing working directory as ENOENT, which would read as a missing command.
  const isDir = await stat(cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new PermanentFailure(`its working directory ${cwd} does not exist (cwd = "${server.cwd}")`);
  const transport = new StdioClientTransport({ command: server.command!, args: server.args ?? [], ...(server.env ? { env: server.env } : {}), cwd, stderr: "pipe" });
  options.stderr.attach(transport.stderr as Readable | null);
  return { transport, pid: () => transport.pid ?? undefined, endSession: async () => undefined };
}
