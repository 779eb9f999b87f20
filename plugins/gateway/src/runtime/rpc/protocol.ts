/*
 * JSON-RPC 2.0 as the gateway speaks it (docs/gateway.md, "JSON-RPC 2.0"): the error codes, the
 * response shapes, and reading one request out of a parsed frame.
 */

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** An Aleph error (data: {code: "ALEPH_E_…", fix?}). */
export const ALEPH_ERROR = -32000;
/** Over the connection's rate limit (data: {retryAfterMs}). */
export const RATE_LIMITED = -32029;

export type RpcId = string | number | null;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcRequest {
  /** Undefined for a notification (no `id` member): run, not answered. */
  id: RpcId | undefined;
  method: string;
  /** The params member as sent (undefined when absent). */
  params: unknown;
}

/** The longest string id accepted (ids are echoed back and logged). */
const MAX_ID_LENGTH = 256;

/** A JSON-RPC error raised by the gateway itself (bad params, unknown method, limits). */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcFailure";
  }

  toObject(): RpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

export function resultResponse(id: RpcId, result: unknown): object {
  return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
}

export function errorResponse(id: RpcId, error: RpcErrorObject): object {
  return { jsonrpc: "2.0", id, error };
}

function isValidId(id: unknown): id is RpcId {
  return id === null || (typeof id === "number" && Number.isFinite(id)) || (typeof id === "string" && id.length <= MAX_ID_LENGTH);
}

/** The request in one parsed value, or the error to answer it with (and the id to answer to). */
export function readRequest(value: unknown): { request: RpcRequest } | { error: RpcErrorObject; id: RpcId } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: { code: INVALID_REQUEST, message: "a request is a JSON object" }, id: null };
  }
  const message = value as Record<string, unknown>;
  const hasId = "id" in message;
  const id = hasId && isValidId(message.id) ? message.id : null;
  if (hasId && !isValidId(message.id)) {
    return { error: { code: INVALID_REQUEST, message: `"id" must be a string (at most ${MAX_ID_LENGTH} characters), a number or null` }, id: null };
  }
  if (message.jsonrpc !== "2.0") return { error: { code: INVALID_REQUEST, message: '"jsonrpc" must be "2.0"' }, id };
  if (typeof message.method !== "string" || message.method.length === 0) return { error: { code: INVALID_REQUEST, message: '"method" must be a non-empty string' }, id };
  if ("params" in message && (typeof message.params !== "object" || message.params === null)) {
    return { error: { code: INVALID_REQUEST, message: '"params" must be an object or an array' }, id };
  }
  return { request: { id: hasId ? id : undefined, method: message.method, params: message.params } };
}

/** The id of a small raw frame, best effort (for answering a frame that is not run: rate limited). */
export function peekId(text: string): RpcId {
  if (text.length > 4096) return null;
  try {
    const value = JSON.parse(text) as { id?: unknown } | null;
    return value !== null && typeof value === "object" && !Array.isArray(value) && isValidId(value.id) ? value.id : null;
  } catch {
    return null;
  }
}
