import { isObject, type JsonObject } from "./json-fields.js";
import type { Endpoint, WireRequest } from "./protocol.js";

/*
 * The parts of a request every protocol builds the same way. Header names are lower-cased so a
 * header configured as `X-Api-Key` replaces the default `x-api-key` instead of being sent twice.
 * The provider's own headers come last (a gateway may need its own auth header); its `extra` body
 * fields come first, under the fields built from the request: `extra` adds what the request
 * cannot say (`top_k`, `keep_alive`, a router's `provider` block) without being able to break the
 * request (`stream`, `messages`). Where both are objects (`options`), the two are merged.
 */

/** Where a protocol puts the key when the provider does not say: the header and the text before the key. */
export interface AuthPlacement {
  header: string;
  prefix: string;
}

export function wireRequest(url: string, body: JsonObject, endpoint: Endpoint, protocolHeaders: Record<string, string>, auth: AuthPlacement): WireRequest {
  const headers: Record<string, string> = {};
  const set = (name: string, value: string) => {
    headers[name.toLowerCase()] = value;
  };
  set("content-type", "application/json");
  for (const [name, value] of Object.entries(protocolHeaders)) set(name, value);
  if (endpoint.apiKey) set(endpoint.authHeader ?? auth.header, `${endpoint.authPrefix ?? auth.prefix}${endpoint.apiKey}`);
  for (const [name, value] of Object.entries(endpoint.headers)) set(name, value);
  return { url, headers, body: JSON.stringify(withExtraFields(body, endpoint.extraBody)) };
}

function withExtraFields(body: JsonObject, extra: Record<string, unknown>): JsonObject {
  const merged: JsonObject = { ...extra };
  for (const [key, value] of Object.entries(body)) {
    const under = merged[key];
    merged[key] = isObject(under) && isObject(value) ? { ...under, ...value } : value;
  }
  return merged;
}
