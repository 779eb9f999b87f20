import * as z from "@aleph/zod/mini";
import { parseHostPattern } from "./net/host-pattern.js";
import { parsePrivateAllowance } from "./net/private-allowance.js";


/*
 * The [tools.web] section of config.toml, owned by this plugin (a table inside the tools plugin's
 * [tools], which leaves its sub-tables to the tool plugins). Strict: a misspelt key is an error, not
 * a silently ignored limit. The entry parsers run here too, so a bad host or range fails at load,
 * naming the entry; a change applies from the next call, without a reload.
 */

const MIB = 1024 * 1024;

/** An entry checked by one of the list parsers (which return a string saying what is wrong). */
const listEntry = (parse: (entry: string) => unknown, description: string) =>
  z.string().check(
    z.superRefine((entry, issues) => {
      const problem = parse(entry);
      if (typeof problem === "string") issues.addIssue({ code: "custom", message: `${JSON.stringify(entry)} ${problem}` });
    }),
    z.describe(description),
  );

export const webFetchConfigSchema = z.strictObject({
  allow_hosts: z
    ._default(z.array(listEntry(parseHostPattern, 'a host ("example.com"), its subdomains ("*.example.com") or an IP address')), [])
    .check(z.describe("when not empty, web_fetch reaches only these hosts (every redirect hop included); empty: any host")),
  deny_hosts: z
    ._default(z.array(listEntry(parseHostPattern, 'a host ("example.com"), its subdomains ("*.example.com") or an IP address')), [])
    .check(z.describe("hosts web_fetch always refuses, even when allow_hosts lists them")),
  allow_private: z
    ._default(z.array(listEntry(parsePrivateAllowance, 'a host, an IP address or a CIDR range, optionally with ":port" ("127.0.0.1:8080", "10.0.0.0/8", "[::1]:8080", "localhost:3000")')), [])
    .check(z.describe("hosts, addresses and ranges web_fetch may reach although they are private, loopback, link-local or otherwise not public (default none: SSRF protection)")),
  max_bytes: z
    ._default(z.number().check(z.int(), z.minimum(1024), z.maximum(64 * MIB)), 2 * MIB)
    .check(z.describe("bytes of a response body read at most (after decompression); the rest is not read and the result says truncated")),
  max_chars: z
    ._default(z.number().check(z.int(), z.minimum(100), z.maximum(10_000_000)), 80_000)
    .check(z.describe("characters of text returned at most (a call's max_chars can ask for fewer); longer text is cut and the result says truncated")),
  timeout_seconds: z._default(z.number().check(z.positive(), z.maximum(600)), 20).check(z.describe("seconds one web_fetch may take, redirects and body included")),
  max_redirects: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(20)), 5).check(z.describe("redirects followed at most; each hop is checked like the first URL")),
  user_agent: z
    ._default(
      z.string().check(
        z.minLength(1),
        z.maxLength(512),
        // A header value: a line break would end it (Node refuses it too, but later and less clearly).
        z.regex(/^[^\u0000-\u001f\u007f]*$/, { message: "must not contain control characters (line breaks, tabs)" }),
      ),
      "Aleph-web-fetch/1.0",
    )
    .check(z.describe("the User-Agent header sent")),
});

export type WebFetchConfig = z.output<typeof webFetchConfigSchema>;
