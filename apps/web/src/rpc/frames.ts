/*
 * JSON-RPC 2.0 frames as the gateway sends them: a response (to one of our requests) or a
 * notification (chat.event, event). Anything else is reported as invalid with the reason, so a
 * broken frame is logged and skipped instead of throwing inside the socket's message handler.
 */

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type IncomingFrame =
  | { kind: "result"; id: number | string; result: unknown }
  | { kind: "error"; id: number | string | null; error: RpcErrorObject }
  | { kind: "notification"; method: string; params: unknown }
  | { kind: "invalid"; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function classify(value: unknown): IncomingFrame {
  if (!isObject(value)) return { kind: "invalid", reason: "a frame must be a JSON object" };
  if (value.jsonrpc !== "2.0") return { kind: "invalid", reason: 'the frame lacks "jsonrpc": "2.0"' };
  if (typeof value.method === "string") {
    if ("id" in value && value.id !== null && value.id !== undefined) return { kind: "invalid", reason: `the server sent a request ("${value.method}"); the page answers none` };
    return { kind: "notification", method: value.method, params: value.params };
  }
  const id = value.id;
  if ("error" in value) {
    const error = value.error;
    if (!isObject(error) || typeof error.code !== "number" || typeof error.message !== "string") {
      return { kind: "invalid", reason: "an error response needs error.code (number) and error.message (string)" };
    }
    if (id !== null && typeof id !== "number" && typeof id !== "string") return { kind: "invalid", reason: "a response id must be a number, a string or null" };
    return { kind: "error", id, error: { code: error.code, message: error.message, data: error.data } };
  }
  if ("result" in value) {
    if (typeof id !== "number" && typeof id !== "string") return { kind: "invalid", reason: "a result response needs an id" };
    return { kind: "result", id, result: value.result };
  }
  return { kind: "invalid", reason: "a frame needs a method, a result or an error" };
}

/** Reads one text frame; a batch (array) gives one entry per element. */
export function parseFrames(text: string): IncomingFrame[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ kind: "invalid", reason: `not JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}` }];
  }
  if (Array.isArray(value)) return value.length === 0 ? [{ kind: "invalid", reason: "an empty batch" }] : value.map(classify);
  return [classify(value)];
}
