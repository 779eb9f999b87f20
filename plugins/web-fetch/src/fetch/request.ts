import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { pinnedLookup } from "./pinned-lookup.js";
import type { HopTarget } from "./policy.js";
import type { ResolvedAddress } from "./vet-addresses.js";

/*
 * One GET, on a fresh connection to the vetted addresses. No agent: a pooled keep-alive socket
 * would outlive the check it was made under (a later call, a changed allow_private). No proxy:
 * node:http ignores HTTP_PROXY, so the address checked is the address connected to.
 */

export interface RequestOptions {
  userAgent: string;
  signal: AbortSignal;
}

/** Sends the request and resolves with the response head; the body is the caller's to read or destroy. */
export function sendGet(target: HopTarget, addresses: readonly ResolvedAddress[], options: RequestOptions): Promise<IncomingMessage> {
  const { url } = target;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send({
      protocol: url.protocol,
      host: target.host,
      port: target.port,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      agent: false,
      lookup: pinnedLookup(target.host, addresses),
      signal: options.signal,
      headers: {
        host: url.host,
        "user-agent": options.userAgent,
        accept: "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/json;q=0.9,application/xml;q=0.8,*/*;q=0.5",
        "accept-encoding": "gzip, deflate, br",
      },
    });
    request.once("response", resolve);
    // `on`, not `once`: an error after the response (an abort mid-body) must find a listener too;
    // by then the promise is settled and the body reader sees the failure on its own stream.
    request.on("error", reject);
    request.end();
  });
}
