import { formatIp, inNetwork, parseNetwork, type IpBytes, type IpNetwork } from "./ip-address.js";

/*
 * Which addresses are not the public internet: the ranges web_fetch refuses unless they are granted
 * in [tools.web] allow_private (the SSRF guard). The list errs on the side of refusing: loopback,
 * private, link-local (cloud metadata lives at 169.254.169.254), shared, multicast, reserved,
 * documentation and benchmarking ranges, and IPv6 forms that tunnel to an IPv4 address are judged
 * by the IPv4 address inside them.
 */

/** Why an address is not public: its range and what the range is. */
export interface NonPublicReason {
  /** The address judged, as text. */
  address: string;
  /** What the range is, as a phrase: "a loopback address", "a private address". */
  kind: string;
  /** The range in CIDR notation ("127.0.0.0/8"). */
  range: string;
  /** For an IPv6 address that embeds an IPv4 one: that address, which is what decided. */
  embedded?: string;
}

interface Range {
  network: IpNetwork;
  range: string;
  kind: string;
}

const range = (cidr: string, kind: string): Range => ({ network: parseNetwork(cidr)!, range: cidr, kind });

// The most specific ranges first, so the reason names the narrowest one (broadcast before 240/4).
const IPV4_RANGES: readonly Range[] = [
  range("255.255.255.255/32", "the broadcast address"),
  range("0.0.0.0/8", "a \"this network\" address (it reaches the local host)"),
  range("10.0.0.0/8", "a private address"),
  range("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
  range("127.0.0.0/8", "a loopback address"),
  range("169.254.0.0/16", "a link-local address (cloud metadata services live there)"),
  range("172.16.0.0/12", "a private address"),
  range("192.0.0.0/24", "an IETF protocol address"),
  range("192.0.2.0/24", "a documentation address"),
  range("192.88.99.0/24", "a 6to4 relay address (deprecated)"),
  range("192.168.0.0/16", "a private address"),
  range("198.18.0.0/15", "a benchmarking address"),
  range("198.51.100.0/24", "a documentation address"),
  range("203.0.113.0/24", "a documentation address"),
  range("224.0.0.0/4", "a multicast address"),
  range("240.0.0.0/4", "a reserved address"),
];

/** IPv6 ranges that carry an IPv4 address, and where its 4 bytes are. */
const IPV6_EMBEDDING: readonly { network: IpNetwork; offset: number }[] = [
  { network: parseNetwork("::ffff:0:0/96")!, offset: 12 }, // IPv4-mapped
  { network: parseNetwork("::ffff:0:0:0/96")!, offset: 12 }, // IPv4-translated (SIIT)
  { network: parseNetwork("64:ff9b::/96")!, offset: 12 }, // NAT64, well-known prefix
  { network: parseNetwork("2002::/16")!, offset: 2 }, // 6to4
];

const IPV6_RANGES: readonly Range[] = [
  range("::/128", "the unspecified address (it reaches the local host)"),
  range("::1/128", "the loopback address"),
  range("::/96", "an IPv4-compatible address (deprecated)"),
  range("64:ff9b:1::/48", "a local-use NAT64 address"),
  range("100::/64", "a discard-only address"),
  range("2001::/32", "a Teredo tunnel address"),
  range("2001:db8::/32", "a documentation address"),
  range("fc00::/7", "a unique local (private) address"),
  range("fe80::/10", "a link-local address"),
  range("fec0::/10", "a site-local address (deprecated)"),
  range("ff00::/8", "a multicast address"),
];

/**
 * Undefined when `address` is a public unicast address; otherwise why it is not. An IPv6 address
 * embedding an IPv4 one is public exactly when that IPv4 address is.
 */
export function nonPublicReason(address: IpBytes): NonPublicReason | undefined {
  const text = formatIp(address);
  if (address.length === 4) {
    const hit = IPV4_RANGES.find((r) => inNetwork(address, r.network));
    return hit ? { address: text, kind: hit.kind, range: hit.range } : undefined;
  }
  const inner = embeddedIPv4(address);
  if (inner) {
    const reason = nonPublicReason(inner);
    return reason ? { ...reason, address: text, embedded: reason.address } : undefined;
  }
  const hit = IPV6_RANGES.find((r) => inNetwork(address, r.network));
  return hit ? { address: text, kind: hit.kind, range: hit.range } : undefined;
}

/** The IPv4 address inside an IPv4-mapped, -translated, NAT64 or 6to4 IPv6 address; undefined for any other. */
export function embeddedIPv4(address: IpBytes): IpBytes | undefined {
  if (address.length !== 16) return undefined;
  const carrier = IPV6_EMBEDDING.find((e) => inNetwork(address, e.network));
  return carrier ? address.slice(carrier.offset, carrier.offset + 4) : undefined;
}

/** The reason as words for a message: "a loopback address in 127.0.0.0/8", with the embedded address when there is one. */
export function describeReason(reason: NonPublicReason): string {
  const what = `${reason.kind} in ${reason.range}`;
  return reason.embedded ? `an IPv6 form of ${reason.embedded}, which is ${what}` : what;
}
