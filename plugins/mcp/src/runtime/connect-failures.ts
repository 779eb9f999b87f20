import { errorMessage } from "@aleph/plugin-sdk";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { ServerConfig } from "../config.js";
import { PermanentFailure } from "./transports.js";

/*
 * Why a server could not be started or reached, in a sentence, and whether trying again can help.
 * Not retried (the server is `failed` until its entry changes): a command that does not exist or
 * may not be run, a missing working directory, credentials the server refuses. Everything else —
 * a crash during start, a timeout, a refused connection, a 5xx — is retried with backoff.
 */

const SPAWN_PERMANENT = new Set(["ENOENT", "EACCES", "ENOTDIR", "EISDIR", "EPERM"]);

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

const httpStatusOf = (error: unknown): number | undefined => (error instanceof StreamableHTTPError && typeof error.code === "number" ? error.code : undefined);

export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentFailure || error instanceof UnauthorizedError) return true;
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) return true;
  const code = codeOf(error);
  return code !== undefined && SPAWN_PERMANENT.has(code) && (error as { syscall?: unknown }).syscall !== undefined && String((error as { syscall?: unknown }).syscall).startsWith("spawn");
}

/** `lastStderr`: the last line a stdio server wrote, which usually says why it stopped. */
export function describeFailure(error: unknown, server: ServerConfig, lastStderr?: string): string {
  if (error instanceof PermanentFailure) return error.message;
  if (server.command !== undefined && error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return `the server process exited before it was ready${lastStderr ? `; its last stderr line: ${lastStderr}` : " (it wrote nothing to stderr)"}`;
  }
  const code = codeOf(error);
  if (server.command !== undefined && String((error as { syscall?: unknown } | null)?.syscall ?? "").startsWith("spawn")) {
    if (code === "ENOENT") return `its command "${server.command}" was not found (looked up on PATH)`;
    if (code === "EACCES" || code === "EPERM") return `its command "${server.command}" may not be run (permission denied)`;
  }
  const status = httpStatusOf(error);
  if (status === 401 || status === 403 || error instanceof UnauthorizedError) return `the server refused the credentials (HTTP ${status ?? 401}): ${errorMessage(error)}`;
  return errorMessage(error);
}

/** How to repair a failure that is not retried. */
export function fixFor(error: unknown, server: ServerConfig): string {
  const where = `[[mcp.servers]] name = "${server.name}"`;
  if (error instanceof UnauthorizedError || httpStatusOf(error) === 401 || httpStatusOf(error) === 403) {
    return `check headers / bearer_token of ${where} (e.g. bearer_token = "keys:<name>", stored with \`aleph keys set <name>\`)`;
  }
  if (error instanceof PermanentFailure) return `correct cwd in ${where}, or create the folder`;
  return `install the command or give its absolute path in ${where}; saving the change starts it again`;
}
