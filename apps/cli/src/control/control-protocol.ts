import { AlephError } from "@aleph/plugin-sdk";

/*
 * The control socket speaks newline-delimited JSON:
 *   request  {"id": 1, "method": "status", "params": {}}
 *   response {"id": 1, "ok": true, "result": …} | {"id": 1, "ok": false, "error": {"code", "message", "fix"?, "file"?, "line"?}}
 * One request per line, answered in order. A line is at most 64 MiB: the socket is the owner's
 * alone (0600), and the limit only has to stop a runaway client, while a request legitimately
 * carries a session message (up to [sessions] max_message_bytes, 16 MiB at most) or an import.
 */

export const MAX_CONTROL_LINE = 64 * 1024 * 1024;

export interface ControlRequest {
  id: number | string;
  method: string;
  params: Record<string, unknown>;
}

export type ControlResponse =
  | { id: number | string | null; ok: true; result: unknown }
  | { id: number | string | null; ok: false; error: { code: string; message: string; fix?: string; file?: string; line?: number } };

/** Parses one request line; bad input becomes an ALEPH_E_RPC error saying what is wrong. */
export function parseControlRequest(line: string): ControlRequest {
  if (line.length > MAX_CONTROL_LINE) throw new AlephError("ALEPH_E_RPC", `request is ${line.length} bytes, the limit is ${MAX_CONTROL_LINE}`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new AlephError("ALEPH_E_RPC", `request is not JSON: ${(error as Error).message}`, { fix: 'send one JSON object per line: {"id":1,"method":"status"}' });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new AlephError("ALEPH_E_RPC", "request must be a JSON object");
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== "number" && typeof id !== "string") throw new AlephError("ALEPH_E_RPC", "request needs an id (number or string)");
  if (typeof method !== "string" || !/^[a-z][a-z0-9.]*$/.test(method)) throw new AlephError("ALEPH_E_RPC", "request needs a method name such as \"status\"");
  if (params !== undefined && (params === null || typeof params !== "object" || Array.isArray(params))) {
    throw new AlephError("ALEPH_E_RPC", "params must be an object when given");
  }
  return { id, method, params: (params as Record<string, unknown>) ?? {} };
}

/** Best-effort id of a request that failed to parse, so the error can still be matched. */
export function requestIdOf(line: string): number | string | null {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === "number" || typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}
