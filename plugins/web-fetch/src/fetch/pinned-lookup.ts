import type { LookupAddress, LookupOptions } from "node:dns";
import type { ResolvedAddress } from "./vet-addresses.js";

/*
 * The `lookup` handed to node:http(s): it answers with the addresses vet-addresses.ts judged, and
 * never asks DNS again, so the socket connects to exactly what was checked. The request keeps the
 * host name as `host`, so the Host header, TLS SNI and certificate check still use the name.
 */

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function pinnedLookup(host: string, addresses: readonly ResolvedAddress[]) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    // Node asks only for the host it was given; anything else would be a connection we did not vet.
    const wanted = options.family === 4 || options.family === "IPv4" ? 4 : options.family === 6 || options.family === "IPv6" ? 6 : undefined;
    const usable = hostname === host ? addresses.filter((a) => wanted === undefined || a.family === wanted) : [];
    if (usable.length === 0) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`no vetted address for ${hostname}`), { code: "ENOTFOUND" });
      callback(error, options.all ? [] : "", undefined);
      return;
    }
    if (options.all) callback(null, usable.map(({ address, family }) => ({ address, family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}
