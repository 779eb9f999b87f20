import { parseIp } from "./ip-address.js";

/*
 * Host names as [tools.web] lists them: "example.com" (that host only), "*.example.com" (any
 * subdomain, at any depth, not example.com itself), or an IP address. Entries and URL hosts are
 * both normalised by the WHATWG URL parser — lower case, punycode, IPv4 in dotted form whatever
 * way it was written (0x7f.1, 2130706433), IPv6 compressed — and a trailing dot is dropped, so
 * "EXAMPLE.com." cannot slip past a deny entry "example.com".
 */

export interface HostPattern {
  /** The normalised host, without the "*." of a wildcard. */
  host: string;
  /** True for "*.host": subdomains of host. */
  wildcard: boolean;
}

/** A host as a URL names it, for comparison: lower case, IPv6 without brackets, no trailing dot. */
export function normalizeHost(hostname: string): string {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

/** Parses one list entry; a string says what is wrong with it. */
export function parseHostPattern(entry: string): HostPattern | string {
  const text = entry.trim();
  const wildcard = text.startsWith("*.");
  const name = wildcard ? text.slice(2) : text;
  if (name === "") return "is empty";
  if (/[/\s@?#]/.test(name) || name.includes("*")) return `is not a host name (write "example.com", "*.example.com" or an IP address)`;
  // A bare IPv6 address is the only form with colons: a port does not belong in a host list.
  const bracketed = name.includes(":") ? (parseIp(name) ? `[${name.replace(/^\[|\]$/g, "")}]` : undefined) : name;
  if (bracketed === undefined) return `has a colon but is not an IPv6 address (host lists take no ports)`;
  let host: string;
  try {
    host = normalizeHost(new URL(`http://${bracketed}/`).hostname);
  } catch {
    return "is not a valid host name";
  }
  if (host === "") return "is not a valid host name";
  if (wildcard && parseIp(host)) return "puts a wildcard on an IP address (use a CIDR range in allow_private instead)";
  return { host, wildcard };
}

/** True when the (normalised) `host` is matched by `pattern`. */
export function hostMatches(host: string, pattern: HostPattern): boolean {
  return pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
}

/** Parses a whole list, throwing on the first bad entry (the config schema has checked them already). */
export function parseHostList(entries: readonly string[]): HostPattern[] {
  return entries.map((entry) => {
    const parsed = parseHostPattern(entry);
    if (typeof parsed === "string") throw new Error(`host entry ${JSON.stringify(entry)} ${parsed}`);
    return parsed;
  });
}
