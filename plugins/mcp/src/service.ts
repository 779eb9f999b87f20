import { createServiceRef } from "@aleph/plugin-sdk/core";

/*
 * The `mcp` service: what `aleph mcp list|tools` shows. Types and the ref only (no zod, no MCP SDK),
 * so the commands entry imports it without loading the plugin.
 */

/**
 * A server's lifecycle: `starting` (first connection), `ready`, `restarting` (it died or a
 * connection failed: retried with backoff), `failed` (not retried until the config changes: the
 * command is missing, the working directory does not exist), `stopped` (removed, or the plugin is
 * unloading), `disabled` (`enabled = false`).
 */
export type McpServerState = "starting" | "ready" | "restarting" | "failed" | "stopped" | "disabled";

export interface McpServerStatus {
  name: string;
  transport: "stdio" | "http";
  /** The command line or URL, with known secrets scrubbed. */
  target: string;
  status: McpServerState;
  /** Tools registered in the tools registry (from the cache until the server is connected). */
  tools: number;
  /** The stdio server's process id while it runs. */
  pid?: number;
  /** Times the server was restarted after it died or dropped the connection. */
  restarts: number;
  /** When the current status began (ISO 8601). */
  since: string;
  /** The last failure, scrubbed of secrets. */
  error?: string;
  /** `restarting`: when the next attempt is due (ISO 8601). */
  nextAttemptAt?: string;
  /** What the server says it is (from its initialize answer). */
  server?: { name: string; version: string };
  /** The last lines the stdio server wrote to stderr, scrubbed (while it is not ready). */
  stderr?: string[];
}

export interface McpToolView {
  /** The name agents call it by: `<server>__<tool>` in lowercase snake_case. */
  name: string;
  /** The server's own name for it. */
  original: string;
  description: string;
  parameters: Record<string, unknown>;
  /** Whether it is in the tools registry now. */
  registered: boolean;
  /** Why it is not (the registry refused its schema, another plugin owns the name…). */
  skipped?: string;
}

export interface McpWaitOptions {
  /** Waits up to this long for servers that are still starting (or restarting) before answering. */
  waitMs?: number;
}

export interface McpService {
  /** Every server of [[mcp.servers]], disabled ones included, in config order. */
  servers(options?: McpWaitOptions): Promise<McpServerStatus[]>;
  /** The tools of one server; ALEPH_E_NOT_FOUND for a name that is not configured. */
  tools(server: string, options?: McpWaitOptions): Promise<McpToolView[]>;
}

export const mcpRef = createServiceRef<McpService>("mcp");
