import { isIPv4, isIPv6 } from "node:net";

/*
 * IP addresses as bytes: 4 for IPv4, 16 for IPv6. Ranges are compared bit by bit on these, so one
 * prefix test serves both families, and an IPv4 address embedded in an IPv6 one (mapped, NAT64,
 * 6to4) can be taken out and judged as the IPv4 address it reaches. No dependency: node:net
 * validates the text, the parsing below only has to split it.
 */

export type IpBytes = Uint8Array;

/** The bytes of an IPv4 or IPv6 address in its standard text form; undefined when it is neither. A zone (`fe80::1%eth0`) is ignored. */
export function parseIp(text: string): IpBytes | undefined {
  const address = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (isIPv4(address)) return parseIPv4(address);
  const withoutZone = address.split("%")[0]!;
  if (isIPv6(withoutZone)) return parseIPv6(withoutZone);
  return undefined;
}

function parseIPv4(text: string): IpBytes {
  return Uint8Array.from(text.split(".").map(Number));
}

// Valid IPv6 text (checked by isIPv6): groups of hex, at most one "::", optionally a dotted IPv4 tail.
function parseIPv6(text: string): IpBytes {
  const bytes = new Uint8Array(16);
  let groupsText = text;
  let tail: IpBytes | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail = parseIPv4(text.slice(lastColon + 1));
    // Keep "::" intact when the dotted part directly follows it ("::ffff:1.2.3.4" → "::ffff:", "::1.2.3.4" → "::").
    groupsText = text.slice(0, lastColon + 1);
    if (!groupsText.endsWith("::")) groupsText = groupsText.slice(0, -1);
  }
  const slots = tail ? 6 : 8;
  const [headText, tailText] = groupsText.includes("::") ? groupsText.split("::") : [groupsText, undefined];
  const head = headText ? headText.split(":") : [];
  const rest = tailText ? tailText.split(":") : [];
  const groups = tailText === undefined ? head : [...head, ...Array<string>(slots - head.length - rest.length).fill("0"), ...rest];
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  if (tail) bytes.set(tail, 12);
  return bytes;
}

/** The address as text: dotted IPv4, or compressed IPv6 (as the URL parser and DNS print them). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
  // The longest run of two or more zero groups becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}

/** A range of addresses: a network address and a prefix length in bits. */
export interface IpNetwork {
  bytes: IpBytes;
  prefix: number;
}

/** True when `address` is in `network` (always false across families). */
export function inNetwork(address: IpBytes, network: IpNetwork): boolean {
  if (address.length !== network.bytes.length) return false;
  const whole = network.prefix >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== network.bytes[i]) return false;
  const bits = network.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (address[whole]! & mask) === (network.bytes[whole]! & mask);
}

/** A network from CIDR text ("10.0.0.0/8", "fd00::/8") or one address (a /32 or /128); undefined when invalid. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf("/");
  const bytes = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { bytes, prefix } : undefined;
}
