import { AlephError, isAlephError, errorMessage, type Logger, type ToolCallContext } from "@aleph/plugin-sdk";
import type { WebFetchConfig } from "./config.js";
import { decodeText } from "./extract/decode-text.js";
import { htmlToText } from "./extract/html-text.js";
import { fetchDocument } from "./fetch/fetch-document.js";
import { policyOf } from "./fetch/policy.js";
import { urlForLog } from "./fetch/url-text.js";
import { systemResolver, type HostResolver } from "./fetch/vet-addresses.js";
import type { WebFetchArgs } from "./tool-spec.js";

/*
 * The web_fetch handler: the current [tools.web] policy and limits, one deadline for the whole
 * fetch (redirects and body included) combined with the caller's cancel signal, the fetch, the text,
 * and one log line per call — origin and path only, a query string may hold a token.
 */

export interface WebFetchEnv {
  /** The current [tools.web] section (read on each call). */
  config(): WebFetchConfig;
  log: Logger;
  /** Host name resolution; the system resolver unless a test swaps it. */
  resolve?: HostResolver;
}

/**
 * What the model receives. `text` comes last: a result longer than what the agent passes on is cut
 * at the end, and the metadata (truncated above all) must survive that cut.
 */
export interface WebFetchResult {
  url: string;
  status: number;
  content_type: string;
  title?: string;
  truncated: boolean;
  /** Body bytes read (after decompression). */
  bytes: number;
  text: string;
}

export async function webFetch(env: WebFetchEnv, args: WebFetchArgs, context: ToolCallContext): Promise<WebFetchResult> {
  const config = env.config();
  const start = parseUrl(args.url);
  const deadline = AbortSignal.timeout(config.timeout_seconds * 1000);
  const signal = context.signal ? AbortSignal.any([deadline, context.signal]) : deadline;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const fetched = await fetchDocument(start, policyOf(config), { maxBytes: config.max_bytes, maxRedirects: config.max_redirects, userAgent: config.user_agent }, env.resolve ?? systemResolver, signal);
    const decoded = decodeText(fetched.body, { charset: fetched.contentType.charset, html: fetched.contentType.kind === "html", truncated: fetched.truncated });
    const { title, text } = fetched.contentType.kind === "html" ? await htmlToText(decoded, fetched.url.href) : { title: undefined, text: decoded };
    const maxChars = Math.min(args.max_chars ?? config.max_chars, config.max_chars);
    const cut = cutToChars(text, maxChars);
    const truncated = fetched.truncated || cut.length < text.length;
    env.log.info("web_fetch", { url: urlForLog(fetched.url), host: fetched.url.host, status: fetched.status, bytes: fetched.body.length, redirects: fetched.redirects, truncated, ms: ms() });
    return {
      url: fetched.url.href,
      status: fetched.status,
      content_type: fetched.contentType.mediaType,
      ...(title !== undefined ? { title } : {}),
      truncated,
      bytes: fetched.body.length,
      text: cut,
    };
  } catch (raw) {
    const error = explain(raw, { deadline, context, config, url: start });
    // A refusal by the policy is worth an operator's attention (an agent tried to reach a private address or a denied host).
    const level = isAlephError(error) && error.code === "ALEPH_E_BLOCKED_URL" ? "warn" : "info";
    env.log[level]("web_fetch failed", { url: urlForLog(start), host: start.host, code: isAlephError(error) ? error.code : undefined, error: errorMessage(error), ms: ms() });
    throw error;
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text.trim());
  } catch {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `web_fetch needs an absolute URL, and ${JSON.stringify(text.slice(0, 200))} is not one`, { fix: "give a full URL such as https://example.com/page" });
  }
}

/** A failure as the model should read it: the deadline and a cancel named as such (fetch-document.ts names the rest). */
function explain(error: unknown, at: { deadline: AbortSignal; context: ToolCallContext; config: WebFetchConfig; url: URL }): unknown {
  if (at.deadline.aborted) {
    return new AlephError("ALEPH_E_TIMEOUT", `web_fetch of ${urlForLog(at.url)} took longer than ${at.config.timeout_seconds} s ([tools.web] timeout_seconds) and was stopped`, {
      fix: "try again later or another URL, or raise timeout_seconds in the [tools.web] section of config.toml",
    });
  }
  if (at.context.signal?.aborted) return new AlephError("ALEPH_E_CANCELLED", `web_fetch of ${urlForLog(at.url)} was cancelled`);
  if (isAlephError(error)) return error;
  return new AlephError("ALEPH_E_TOOL", `web_fetch of ${urlForLog(at.url)} failed: ${errorMessage(error)}`, { cause: error });
}

/** The first `max` characters of `text`, never splitting a surrogate pair. */
function cutToChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}
