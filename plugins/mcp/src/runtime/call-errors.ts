import { AlephError, errorMessage } from "@aleph/plugin-sdk";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

/*
 * What a failing MCP call becomes. The agent loop gives the model "error: <message>", and `aleph
 * tools call` prints the code, message and fix: the message names the server and the tool, and says
 * whether the tool itself failed (ALEPH_E_MCP_TOOL), the server refused the request (ALEPH_E_MCP_CALL)
 * or could not be reached (ALEPH_E_MCP_UNAVAILABLE).
 */

const where = (server: string) => `[[mcp.servers]] name = "${server}"`;

/** The tool ran and answered `isError: true`: its own words. */
export function toolReportedError(server: string, tool: string, text: string): AlephError {
  return new AlephError("ALEPH_E_MCP_TOOL", `the MCP tool "${tool}" of server "${server}" failed: ${text}`);
}

export function cancelledCall(server: string, tool: string): AlephError {
  return new AlephError("ALEPH_E_CANCELLED", `the call to the MCP tool "${tool}" of server "${server}" was cancelled`);
}

/** The server cannot take calls now (starting, restarting, failed, removed). */
export function unavailable(server: string, why: string, fix?: string): AlephError {
  return new AlephError("ALEPH_E_MCP_UNAVAILABLE", `the MCP server "${server}" ${why}`, {
    fix: fix ?? `see \`aleph mcp list\` for its status and last error; its entry is ${where(server)} in config.toml`,
  });
}

/** A rejected `tools/call` request: a timeout, a lost connection, a JSON-RPC error. */
export function callFailure(error: unknown, server: string, tool: string, timeoutMs: number): AlephError {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return new AlephError("ALEPH_E_TIMEOUT", `the MCP tool "${tool}" of server "${server}" did not answer within ${timeoutMs / 1000} s`, {
        fix: `raise timeout_seconds in ${where(server)} if the tool needs longer`,
        cause: error,
      });
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      return unavailable(server, `closed the connection during the call to "${tool}" (${error.message})`, "it is restarted automatically: try the call again in a moment");
    }
    return new AlephError("ALEPH_E_MCP_CALL", `the MCP server "${server}" refused the call to "${tool}": ${error.message}`, { cause: error });
  }
  if (isMalformedAnswer(error)) {
    return new AlephError("ALEPH_E_MCP_CALL", `the MCP server "${server}" answered the call to "${tool}" with something that is not a tool result: ${errorMessage(error)}`, { cause: error });
  }
  return unavailable(server, `could not be reached for the call to "${tool}": ${errorMessage(error)}`, "it is reconnected automatically: try the call again in a moment");
}

/** Whether a failed request means the connection itself is gone (an HTTP server then gets reconnected). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  return !isMalformedAnswer(error);
}

/** The SDK rejects an answer its schema refuses with the schema library's error (a list of issues). */
function isMalformedAnswer(error: unknown): boolean {
  return error instanceof Error && (error.name === "ZodError" || Array.isArray((error as { issues?: unknown }).issues));
}
