import { lookup } from "node:dns/promises";
import { AlephError } from "@aleph/plugin-sdk";
import { describeReason, nonPublicReason } from "../net/address-class.js";
import { parseIp } from "../net/ip-address.js";
import { isPrivateAllowed } from "../net/allowance-match.js";
import { suggestedAllowance } from "../net/private-allowance.js";
import { blockedUrl } from "./blocked.js";
import type { HopTarget, WebPolicy } from "./policy.js";
import { untilAborted } from "./until-aborted.js";

/*
 * The SSRF guard. A host is resolved once, every address it resolves to is judged, and the request
 * then connects to those very addresses (request.ts pins them): a second resolution — DNS
 * rebinding, a short TTL flipping a name from a public to a private address between the check and
 * the connect — never happens. One non-public address among several refuses the whole host: which
 * one the connection would use is not ours to choose safely.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How host names are resolved: dns.lookup (the system resolver, /etc/hosts included) unless a test swaps it. */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (host) => {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** The addresses of `target` the request may connect to: all of them public, or granted by allow_private. */
export async function vetAddresses(target: HopTarget, policy: WebPolicy, refused: string, resolve: HostResolver, signal: AbortSignal): Promise<ResolvedAddress[]> {
  const literal = parseIp(target.host);
  const addresses: ResolvedAddress[] = literal ? [{ address: target.host, family: literal.length === 4 ? 4 : 6 }] : await resolveHost(target.host, resolve, signal);
  for (const { address } of addresses) {
    const bytes = parseIp(address);
    if (!bytes) throw new AlephError("ALEPH_E_TOOL", `${refused}: the resolver returned "${address}" for ${target.host}, which is not an IP address`);
    const reason = nonPublicReason(bytes);
    if (!reason || isPrivateAllowed({ host: target.host, port: target.port, address: bytes }, policy.allowPrivate)) continue;
    const what = literal ? `${target.host} is ${describeReason(reason)}` : `${target.host} resolves to ${address}, ${describeReason(reason)}`;
    throw blockedUrl(
      `${refused}: ${what}; web_fetch reaches private, loopback, link-local and other non-public addresses only where [tools.web] allow_private grants them (SSRF protection)`,
      `if agents may reach it, add "${suggestedAllowance(target.host, target.port, address)}" to allow_private in the [tools.web] section of config.toml`,
    );
  }
  return addresses;
}

async function resolveHost(host: string, resolve: HostResolver, signal: AbortSignal): Promise<ResolvedAddress[]> {
  try {
    // dns.lookup cannot be cancelled: the call is abandoned, not stopped, when the fetch is aborted.
    const found = await untilAborted(resolve(host), signal);
    if (found.length === 0) throw Object.assign(new Error("no addresses"), { code: "ENODATA" });
    return found;
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new AlephError("ALEPH_E_NOT_FOUND", `web_fetch cannot resolve the host ${host}${code ? ` (${code})` : ""}`, { fix: "check the host name in the URL", cause: error });
  }
}
