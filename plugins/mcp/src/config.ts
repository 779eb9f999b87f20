import * as z from "@aleph/zod/mini";

/*
 * The [mcp] section of config.toml, owned by this plugin: its `servers` array of tables.
 *
 *   [[mcp.servers]]
 *   name = "everything"
 *   command = "npx"
 *   args = ["-y", "@modelcontextprotocol/server-everything"]
 *
 *   [[mcp.servers]]
 *   name = "github"
 *   url = "https://api.githubcopilot.com/mcp/"
 *   headers = { Authorization = "keys:github_mcp_auth" }
 *
 * Strict: a misspelt key (`comand`) is an error naming it, not a server that silently does nothing.
 * `keys:<name>` values (env, headers, bearer_token) are resolved from the vault by the kernel before
 * the plugin sees them, and the kernel scrubs the resolved values from every log line.
 */

/**
 * A server's name: the prefix of its tools' names (`<server>__<tool>`), so it must fit the tool
 * registry's rule (lowercase, digits, `_`). No `__` inside and no `_` at either end, so the `__`
 * between server and tool is unambiguous; at most 32 characters, leaving room for the tool's part.
 */
export const SERVER_NAME_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
export const SERVER_NAME_MAX = 32;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A header name is an HTTP token (RFC 9110).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const serverSchema = z
  .strictObject({
    name: z
      .string()
      .check(
        z.maxLength(SERVER_NAME_MAX, { message: `at most ${SERVER_NAME_MAX} characters (tool names are <server>__<tool>, 64 at most)` }),
        z.regex(SERVER_NAME_PATTERN, { message: 'lowercase letters, digits and single "_" inside, starting with a letter (e.g. "github", "my_files")' }),
        z.describe("The server's name: its tools are offered as <name>__<tool>"),
      ),
    enabled: z._default(z.boolean(), true).check(z.describe("false: keep the entry but do not start the server")),
    command: z.optional(z.string().check(z.minLength(1))).check(z.describe("A stdio server: the program to run (looked up on PATH)")),
    args: z.optional(z.array(z.string())).check(z.describe("A stdio server: its arguments")),
    env: z
      .optional(z.record(z.string().check(z.regex(ENV_NAME)), z.string(), { error: (issue) => (issue.code === "invalid_key" ? "not an environment variable name (letters, digits and _, not starting with a digit)" : undefined) }))
      .check(z.describe('A stdio server: variables added to its minimal environment (HOME, PATH, …); values may be "keys:<name>"')),
    cwd: z.optional(z.string().check(z.minLength(1))).check(z.describe("A stdio server: its working directory, absolute or relative to the state root (default: the state root)")),
    url: z.optional(z.url({ protocol: /^https?$/, message: "an http:// or https:// URL" })).check(z.describe("A streamable HTTP server: its endpoint URL")),
    headers: z
      .optional(z.record(z.string().check(z.regex(HEADER_NAME)), z.string(), { error: (issue) => (issue.code === "invalid_key" ? "not an HTTP header name" : undefined) }))
      .check(z.describe('An HTTP server: headers sent with every request; values may be "keys:<name>"')),
    bearer_token: z.optional(z.string().check(z.minLength(1))).check(z.describe('An HTTP server: sent as "Authorization: Bearer <token>"; usually "keys:<name>"')),
    timeout_seconds: z._default(z.number().check(z.positive(), z.maximum(3600)), 60).check(z.describe("The most one tool call may take")),
    connect_timeout_seconds: z._default(z.number().check(z.positive(), z.maximum(600)), 30).check(z.describe("The most starting and initialising the server may take")),
  })
  .check(
    z.superRefine((server, ctx) => {
      const stdio = server.command !== undefined;
      const http = server.url !== undefined;
      if (stdio === http) {
        ctx.addIssue({
          code: "custom",
          path: stdio ? ["url"] : [],
          message: stdio
            ? "give either command (a stdio server) or url (an HTTP server), not both"
            : "give command (a stdio server, e.g. command = \"npx\") or url (a streamable HTTP server)",
        });
      }
      if (http) {
        for (const key of ["args", "env", "cwd"] as const) {
          if (server[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} is for a stdio server (command); this one has a url` });
        }
      }
      if (stdio) {
        for (const key of ["headers", "bearer_token"] as const) {
          if (server[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} is for an HTTP server (url); this one has a command` });
        }
      }
    }),
  );

export const mcpConfigSchema = z.strictObject({
  servers: z._default(z.array(serverSchema), []).check(
    z.superRefine((servers, ctx) => {
      const seen = new Set<string>();
      servers.forEach((server, index) => {
        if (seen.has(server.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `"${server.name}" names another server already: names must be unique` });
        seen.add(server.name);
      });
    }),
    z.describe("The MCP servers to connect to ([[mcp.servers]] tables)"),
  ),
});

export type McpConfig = z.output<typeof mcpConfigSchema>;
export type ServerConfig = z.output<typeof serverSchema>;

/** The servers to run: those not switched off. */
export function enabledServers(config: McpConfig): ServerConfig[] {
  return config.servers.filter((server) => server.enabled);
}
