import { AlephError, errorMessage, type ModelErrorInfo } from "@aleph/plugin-sdk";
import { errorInfo } from "./http-errors.js";
import type { Endpoint } from "./protocol.js";

/*
 * An answer that breaks the protocol: a stream cut off or holding something that is not the
 * protocol's JSON, or a non-streamed body of the wrong shape. For a stream it is an `error` event of
 * kind `stream` (call.ts may retry: nothing says the next answer will be broken too); for a
 * non-streamed body parseResponse has no event to send, so it throws.
 */

/** A stream that did not follow the protocol, or ended before its end marker. */
export function brokenStream(endpoint: Endpoint, what: string): ModelErrorInfo {
  return errorInfo("stream", `${endpoint.provider}'s stream ${what}`, endpoint);
}

/** An event or line that is not the JSON the protocol promises, quoted (briefly) so the server can be identified. */
export function notJson(endpoint: Endpoint, text: string): ModelErrorInfo {
  return brokenStream(endpoint, `sent something that is not JSON: ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`);
}

/** Reading the body failed (the connection dropped, or our own abort): call.ts knows which and may say better. */
export function streamReadFailed(endpoint: Endpoint, error: unknown): ModelErrorInfo {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  return brokenStream(endpoint, `broke off: ${errorMessage(error)}${cause ? ` (${cause})` : ""}`);
}

/** Thrown by parseResponse for a body that is not this protocol's answer. */
export function malformedAnswer(endpoint: Endpoint, what: string): AlephError {
  return new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${endpoint.provider}'s answer is not a ${what}`, {
    fix: `check that base_url (${endpoint.baseUrl}) and the protocol of [providers.${endpoint.provider}] in providers.toml match the server`,
  });
}
