import { embeddedIPv4 } from "./address-class.js";
import { inNetwork, type IpBytes } from "./ip-address.js";
import { hostMatches } from "./host-pattern.js";
import type { PrivateAllowance } from "./private-allowance.js";

/*
 * Whether [tools.web] allow_private lets a connection reach a non-public address. A host entry
 * trusts whatever that host resolves to; an address or range entry is matched against the address,
 * and also against the IPv4 address an IPv6 form carries (::ffff:127.0.0.1 is 127.0.0.1).
 */

/** One connection target: the URL's host (normalised) and port, and one address it resolved to. */
export interface Destination {
  host: string;
  port: number;
  address: IpBytes;
}

/** True when some allowance lets `destination` through although its address is not public. */
export function isPrivateAllowed(destination: Destination, allowances: readonly PrivateAllowance[]): boolean {
  const inner = embeddedIPv4(destination.address);
  return allowances.some((allowance) => {
    if (allowance.port !== undefined && allowance.port !== destination.port) return false;
    if (allowance.kind === "host") return hostMatches(destination.host, allowance.pattern);
    return inNetwork(destination.address, allowance.network) || (inner !== undefined && inNetwork(inner, allowance.network));
  });
}
