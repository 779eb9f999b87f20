import { AlephError, errorMessage, isAlephError } from "@aleph/plugin-sdk/core";

/*
 * The control socket speaks newline-delimited JSON, several requests at once on one connection:
 *   request  {"id": 1, "method": "status", "params": {}}
 *   cancel   {"id": 1, "cancel": true}                   stops request 1 (a stream ends, a call is abandoned)
 *   item     {"id": 1, "item": …}                        zero or more, for a method that streams
 *   response {"id": 1, "ok": true, "result": …} | {"id": 1, "ok": false, "error": {"code", "message", "fix"?, "file"?, "line"?}}
 * Every request ends with exactly one response (a stream's after its last item); closing the
 * connection cancels whatever it still has running. A line is at most 64 MiB: the socket is the
 * owner's alone (0600), and the limit only has to stop a runaway client, while a request
 * legitimately carries a session message (up to [sessions] max_message_bytes, 16 MiB at most) or an import.
 */

export const MAX_CONTROL_LINE = 64 * 1024 * 1024;

export type RequestId = number | string;

export interface ControlRequest {
  id: RequestId;
  method: string;
  params: Record<string, unknown>;
}

export interface ControlCancel {
  id: RequestId;
  cancel: true;
}

export interface WireError {
  code: string;
  message: string;
  fix?: string;
  file?: string;
  line?: number;
}

export type ControlResponse =
  | { id: RequestId | null; ok: true; result: unknown }
  | { id: RequestId | null; ok: false; error: WireError }
  | { id: RequestId; item: unknown };

/** Parses one client line; bad input becomes an ALEPH_E_RPC error saying what is wrong. */
export function parseControlRequest(line: string): ControlRequest | ControlCancel {
  if (line.length > MAX_CONTROL_LINE) throw new AlephError("ALEPH_E_RPC", `request is ${line.length} bytes, the limit is ${MAX_CONTROL_LINE}`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new AlephError("ALEPH_E_RPC", `request is not JSON: ${(error as Error).message}`, { fix: 'send one JSON object per line: {"id":1,"method":"status"}' });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new AlephError("ALEPH_E_RPC", "request must be a JSON object");
  const { id, method, params, cancel } = value as Record<string, unknown>;
  if (typeof id !== "number" && typeof id !== "string") throw new AlephError("ALEPH_E_RPC", "request needs an id (number or string)");
  if (cancel === true && method === undefined) return { id, cancel: true };
  if (typeof method !== "string" || !/^[a-z][a-z0-9.]*$/.test(method)) throw new AlephError("ALEPH_E_RPC", "request needs a method name such as \"status\"");
  if (params !== undefined && (params === null || typeof params !== "object" || Array.isArray(params))) {
    throw new AlephError("ALEPH_E_RPC", "params must be an object when given");
  }
  return { id, method, params: (params as Record<string, unknown>) ?? {} };
}

/** Best-effort id of a request that failed to parse, so the error can still be matched. */
export function requestIdOf(line: string): RequestId | null {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === "number" || typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}

/** An error as the protocol carries it: code and message, and the fix, file and line an AlephError has. */
export function toWireError(error: unknown): WireError {
  if (!isAlephError(error)) return { code: "ALEPH_E_RPC", message: errorMessage(error) };
  const { code, fix, file, line } = error as AlephError;
  return { code, message: errorMessage(error), ...(typeof fix === "string" ? { fix } : {}), ...(typeof file === "string" ? { file } : {}), ...(typeof line === "number" ? { line } : {}) };
}

/** The AlephError a wire error stands for, on the client's side. */
export function fromWireError(error: WireError): AlephError {
  const { code, message, fix, file, line } = error;
  return new AlephError(code as "ALEPH_E_RPC", message, { ...(fix === undefined ? {} : { fix }), ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) });
}
