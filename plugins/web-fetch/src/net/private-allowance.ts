import { parseIp, parseNetwork, type IpNetwork } from "./ip-address.js";
import { parseHostPattern, type HostPattern } from "./host-pattern.js";

/*
 * [tools.web] allow_private: what may be (or resolve to) a non-public address. An entry names
 *   - a host: "localhost", "*.internal" — every address it resolves to is allowed;
 *   - an address or range: "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "[fd00::/8]";
 * optionally with a port: "127.0.0.1:8080", "localhost:3000", "[::1]:8080", "10.0.0.0/8:8080"
 * (then only that port). A bare IPv6 address takes no port (its colons would be ambiguous):
 * bracket it. Parsing only, light enough for the entry (the config schema runs it at load); the
 * matching is in allowance-match.ts.
 */

export type PrivateAllowance = ({ kind: "host"; pattern: HostPattern } | { kind: "network"; network: IpNetwork }) & { port?: number };

/** Parses one allow_private entry; a string says what is wrong with it. */
export function parsePrivateAllowance(entry: string): PrivateAllowance | string {
  const text = entry.trim();
  if (text === "") return "is empty";
  if (text.includes("://")) return "is a URL, not a host name (write the host and port: \"localhost:3000\")";
  const { target, port } = splitPort(text);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return `has port "${port}", which is not a port number (1-65535)`;
  const portField = port === undefined ? {} : { port: Number(port) };
  const unbracketed = target.startsWith("[") && target.endsWith("]") ? target.slice(1, -1) : target;
  if (/^[\d.]+(\/\d+)?$/.test(unbracketed) || unbracketed.includes(":")) {
    const network = parseNetwork(unbracketed);
    if (!network) return `is not a valid IP address or CIDR range`;
    return { kind: "network", network, ...portField };
  }
  if (target.includes("/")) return "has a \"/\" but is not a CIDR range (write 10.0.0.0/8 or fd00::/8)";
  const pattern = parseHostPattern(target);
  if (typeof pattern === "string") return pattern;
  return { kind: "host", pattern, ...portField };
}

// "host:port", "[v6]:port", "[v6]" or a bare IPv6 address (colons, no brackets: never a port).
function splitPort(text: string): { target: string; port?: string } {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return { target: text };
    const rest = text.slice(close + 1);
    return rest.startsWith(":") ? { target: text.slice(0, close + 1), port: rest.slice(1) } : { target: text };
  }
  const colons = text.split(":").length - 1;
  if (colons !== 1) return { target: text };
  const at = text.indexOf(":");
  return { target: text.slice(0, at), port: text.slice(at + 1) };
}

/** Parses the whole list, throwing on the first bad entry (the config schema has checked them already). */
export function parsePrivateAllowances(entries: readonly string[]): PrivateAllowance[] {
  return entries.map((entry) => {
    const parsed = parsePrivateAllowance(entry);
    if (typeof parsed === "string") throw new Error(`allow_private entry ${JSON.stringify(entry)} ${parsed}`);
    return parsed;
  });
}

/** The entry to suggest for allowing `destination`: its address (or host) and port, as written in config. */
export function suggestedAllowance(host: string, port: number, address: string): string {
  const literal = parseIp(host) !== undefined;
  const target = literal ? address : host;
  return target.includes(":") ? `[${target}]:${port}` : `${target}:${port}`;
}
