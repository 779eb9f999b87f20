import * as z from "@aleph/zod/mini";

/*
 * The [gateway] section of config.toml, owned by this plugin (docs/gateway.md, "Config"). Strict:
 * a misspelt key is an error naming it, not a limit silently left at its default. A change to the
 * section restarts the server: the plugin has no onConfigChange, so the kernel reloads it.
 *
 *   [gateway]
 *   enabled = true
 *   host = "127.0.0.1"
 *   port = 18790               # 0: any free port (written to data/gateway/listen.json)
 *   require_auth = true
 *   allowed_origins = []       # default: the gateway's own origins
 *   max_payload_bytes = 1048576
 *   rate_limit = 50            # frames per second per connection (burst 2×)
 *   max_connections = 64
 */

const MIB = 1024 * 1024;
export const DEFAULT_PORT = 18790;

/** A host to listen on: a name or an IPv4/IPv6 address, without brackets, port or path. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$/;

/** An origin as browsers send it: scheme, host and optional port, nothing after. */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return undefined;
  return url.origin;
}

const origin = z.string().check(
  z.superRefine((text, issues) => {
    if (normalizeOrigin(text) === undefined) {
      issues.addIssue({ code: "custom", message: `${JSON.stringify(text)} is not an origin: give scheme, host and port only, e.g. "http://192.168.1.20:18790" or "https://aleph.example.com"` });
    }
  }),
);

export const gatewayConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true).check(z.describe("false: the gateway does not listen (no WebSocket, no control page)")),
  host: z
    ._default(
      z.string().check(z.maxLength(253), z.regex(HOST, { message: 'a host name or an IP address without brackets or port, e.g. "127.0.0.1", "::1" or "0.0.0.0"' })),
      "127.0.0.1",
    )
    .check(z.describe("the address to listen on; anything but loopback is reachable from other machines and needs require_auth")),
  port: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(65535)), DEFAULT_PORT).check(z.describe("the TCP port (0: any free port, written to data/gateway/listen.json)")),
  require_auth: z._default(z.boolean(), true).check(z.describe("clients must present the token (vault key gateway-token; `aleph gateway token` prints it)")),
  allowed_origins: z
    ._default(z.array(origin), [])
    .check(z.describe("browser origins allowed to connect (empty: the gateway's own, http://<host>:<port> and its loopback aliases)")),
  max_payload_bytes: z
    ._default(z.number().check(z.int(), z.minimum(1024), z.maximum(64 * MIB)), MIB)
    .check(z.describe("the largest WebSocket frame a client may send; a larger one closes its connection (1009)")),
  rate_limit: z
    ._default(z.number().check(z.int(), z.minimum(1), z.maximum(100_000)), 50)
    .check(z.describe("frames per second per connection (bursts of twice that); over it a frame is answered -32029 without being run")),
  max_connections: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100_000)), 64).check(z.describe("WebSocket connections at most at once; more are refused (503)")),
}).check(
  // A gateway other machines reach, open to anyone there, is OpenClaw's #16059: refused before it listens.
  z.superRefine((config, issues) => {
    if (config.enabled && !config.require_auth && !isLoopbackHost(config.host)) {
      issues.addIssue({
        code: "custom",
        path: ["require_auth"],
        message: `host "${config.host}" is reachable from other machines, and require_auth = false would let anyone there drive the agents: set require_auth = true (clients then need \`aleph gateway token\`), or host = "127.0.0.1"`,
      });
    }
  }),
);

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

/** True for a host only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127(?:\.\d{1,3}){3}$/.test(h) || h === "::1" || h === "0:0:0:0:0:0:0:1" || h === "::ffff:127.0.0.1";
}
