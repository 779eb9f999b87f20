import type { WebFetchConfig } from "../config.js";
import { hostMatches, normalizeHost, parseHostList, type HostPattern } from "../net/host-pattern.js";
import { parsePrivateAllowances, type PrivateAllowance } from "../net/private-allowance.js";
import { blockedUrl } from "./blocked.js";

/*
 * The checks on a URL itself, before any DNS: scheme, credentials, deny_hosts, allow_hosts. They run
 * on the first URL and again on every redirect hop, so a redirect cannot lead where the URL could not.
 */

export interface WebPolicy {
  allowHosts: HostPattern[];
  denyHosts: HostPattern[];
  allowPrivate: PrivateAllowance[];
}

/** The policy of the current [tools.web] section (parsed on each call: a config change applies from the next one). */
export function policyOf(config: WebFetchConfig): WebPolicy {
  return { allowHosts: parseHostList(config.allow_hosts), denyHosts: parseHostList(config.deny_hosts), allowPrivate: parsePrivateAllowances(config.allow_private) };
}

/** Where a hop is going, once its URL passed the checks. */
export interface HopTarget {
  url: URL;
  /** The host, normalised (IPv6 without brackets, no trailing dot). */
  host: string;
  /** The port, explicit or the scheme's default. */
  port: number;
}

/**
 * Checks a hop's URL against the policy. `refused` starts each message ("web_fetch refused
 * http://x/", "web_fetch refused redirect 2, from … to …"): the reason follows.
 */
export function checkUrl(url: URL, policy: WebPolicy, refused: string): HopTarget {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw blockedUrl(`${refused}: the scheme "${url.protocol}" is not allowed; web_fetch fetches http:// and https:// URLs only`, "use an http:// or https:// URL");
  }
  if (url.username !== "" || url.password !== "") {
    throw blockedUrl(`${refused}: the URL carries credentials (user:password@), which web_fetch does not send`, "remove the credentials from the URL");
  }
  const host = normalizeHost(url.hostname);
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const denied = policy.denyHosts.find((pattern) => hostMatches(host, pattern));
  if (denied) {
    throw blockedUrl(`${refused}: the host ${host} is in [tools.web] deny_hosts (${patternText(denied)})`, `remove "${patternText(denied)}" from deny_hosts in the [tools.web] section of config.toml if agents should reach it`);
  }
  if (policy.allowHosts.length > 0 && !policy.allowHosts.some((pattern) => hostMatches(host, pattern))) {
    throw blockedUrl(`${refused}: the host ${host} is not in [tools.web] allow_hosts, which limits web_fetch to ${policy.allowHosts.map(patternText).join(", ")}`, `add "${host}" to allow_hosts in the [tools.web] section of config.toml if agents should reach it`);
  }
  return { url, host, port };
}

const patternText = (pattern: HostPattern): string => (pattern.wildcard ? `*.${pattern.host}` : pattern.host);
