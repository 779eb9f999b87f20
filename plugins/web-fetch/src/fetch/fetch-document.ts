import type { IncomingMessage } from "node:http";
import { AlephError, errorMessage, isAlephError } from "@aleph/plugin-sdk";
import { parseContentType, sniffBody, type ContentType } from "../extract/content-kind.js";
import { checkUrl, type WebPolicy } from "./policy.js";
import { readBody } from "./read-body.js";
import { sendGet } from "./request.js";
import { urlForLog } from "./url-text.js";
import { vetAddresses, type HostResolver } from "./vet-addresses.js";

/*
 * The fetch: redirects followed by hand, each hop checked from scratch — scheme, credentials, host
 * lists, DNS, non-public addresses — and connected to the addresses it was checked with. A
 * redirect is never followed by node:http itself (it does not follow any), so no hop escapes.
 */

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface FetchLimits {
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
}

export interface FetchedDocument {
  /** The URL that answered, after redirects. */
  url: URL;
  status: number;
  contentType: ContentType & { kind: "html" | "text" };
  body: Buffer;
  truncated: boolean;
  redirects: number;
}

export async function fetchDocument(start: URL, policy: WebPolicy, limits: FetchLimits, resolve: HostResolver, signal: AbortSignal): Promise<FetchedDocument> {
  const visited = new Set<string>();
  let url = start;
  let refused = `web_fetch refused ${urlForLog(start)}`;
  for (let redirects = 0; ; redirects++) {
    visited.add(url.href);
    const target = checkUrl(url, policy, refused);
    const addresses = await vetAddresses(target, policy, refused, resolve, signal);
    const response = await sendGet(target, addresses, { userAgent: limits.userAgent, signal }).catch((error: unknown) => {
      throw networkError(error, url, signal);
    });
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location !== undefined) {
      response.destroy(); // a redirect's body is never read
      const next = redirectTarget(url, location);
      const hop = redirects + 1;
      if (visited.has(next.href)) {
        throw new AlephError("ALEPH_E_LIMIT", `web_fetch stopped at a redirect loop: redirect ${hop}, from ${urlForLog(url)}, leads back to ${urlForLog(next)}`, { fix: "fetch another URL" });
      }
      if (hop > limits.maxRedirects) {
        throw new AlephError("ALEPH_E_LIMIT", `web_fetch stopped after ${limits.maxRedirects} redirects ([tools.web] max_redirects): ${urlForLog(url)} redirects on to ${urlForLog(next)}`, {
          fix: "fetch the final URL directly, or raise max_redirects in the [tools.web] section of config.toml",
        });
      }
      refused = `web_fetch refused redirect ${hop} (from ${urlForLog(url)}) to ${urlForLog(next)}`;
      url = next;
      continue;
    }
    const document = await readDocument(response, limits.maxBytes, signal).catch((error: unknown) => {
      throw networkError(error, url, signal);
    });
    return { url, ...document, redirects };
  }
}

function redirectTarget(from: URL, location: string): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new AlephError("ALEPH_E_TOOL", `web_fetch cannot follow the redirect from ${urlForLog(from)}: its Location "${location.slice(0, 200)}" is not a URL`);
  }
}

/** The body of the final response, refused before reading when its declared type is binary. */
async function readDocument(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Omit<FetchedDocument, "url" | "redirects">> {
  const status = response.statusCode ?? 0;
  const declared = parseContentType(response.headers["content-type"]);
  if (declared.kind === "binary") {
    response.destroy();
    throw binaryRefusal(status, declared.mediaType);
  }
  const { bytes, truncated } = await readBody(response, maxBytes, signal);
  const kind = declared.kind ?? sniffBody(bytes);
  if (kind === "binary") throw binaryRefusal(status, "no declared type, and the body looks binary");
  return { status, contentType: { ...declared, kind }, body: bytes, truncated };
}

/** A connection or protocol failure, naming the hop it happened on (an abort is left for the caller to name). */
function networkError(error: unknown, url: URL, signal: AbortSignal): unknown {
  if (signal.aborted || isAlephError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = errorMessage(error);
  return new AlephError("ALEPH_E_TOOL", `web_fetch could not fetch ${urlForLog(url)}: ${message}${code && !message.includes(code) ? ` (${code})` : ""}`, { fix: "check the URL, or try again later", cause: error });
}

function binaryRefusal(status: number, what: string): AlephError {
  return new AlephError("ALEPH_E_TOOL_ARGS", `web_fetch returns text only, and the response (HTTP ${status}) is binary: ${what}`, {
    fix: "fetch an HTML page or a text, JSON, XML or Markdown document",
  });
}
