import type { ServerConfig } from "./config.js";

/*
 * How a server is shown (`aleph mcp list`, logs): the command line or the URL, scrubbed of the
 * secrets the kernel knows (a `keys:` value used as an argument, a token inside a URL). Never the
 * environment or the headers.
 */

const quoted = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);

export function describeTarget(server: ServerConfig, redact: (text: string) => string): string {
  if (server.url !== undefined) return redact(server.url);
  return redact([server.command ?? "", ...(server.args ?? [])].map(quoted).join(" "));
}

export const transportOf = (server: ServerConfig): "stdio" | "http" => (server.url !== undefined ? "http" : "stdio");
