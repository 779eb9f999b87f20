import * as z from "@aleph/zod/mini";
import { errorMessage, isAlephError, type Logger } from "@aleph/plugin-sdk";
import type { CallLog, CallRecord } from "./call-log.js";
import type { RpcClient } from "./client.js";
import { ALEPH_ERROR, errorResponse, INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND, resultResponse, RpcFailure, type RpcErrorObject, type RpcRequest } from "./protocol.js";

/*
 * Runs one request against the method table: params checked by the method's schema (-32602 with
 * the issues), the method run, whatever it throws turned into a JSON-RPC error — an AlephError
 * into -32000 with its code and fix, anything else into -32603 (and an error line in the log: a
 * client must never be able to throw out of here). Every call is recorded (call-log.ts): method,
 * id, time, outcome — never its params, which may hold what a person typed or a secret.
 */

export interface CallContext {
  client: RpcClient;
}

export interface Method<P = unknown> {
  /** The params' schema; none: the method takes no params. */
  params?: z.ZodMiniType<P, unknown>;
  run(params: P, call: CallContext): unknown;
}

export type MethodTable = Record<string, Method<any>>;

/** Declares a method with typed params (the table holds them untyped). */
export function method<P>(spec: Method<P>): Method<P> {
  return spec;
}

export type Dispatch = (request: RpcRequest, client: RpcClient) => Promise<object | undefined>;

export function createDispatcher(methods: MethodTable, log: Logger, calls: CallLog): Dispatch {
  return async (request, client) => {
    const started = performance.now();
    let error: RpcErrorObject | undefined;
    let result: unknown;
    try {
      const spec = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
      if (!spec) throw new RpcFailure(METHOD_NOT_FOUND, `method not found: ${JSON.stringify(request.method.slice(0, 100))}`, { methods: Object.keys(methods) });
      result = await spec.run(checkParams(spec, request.params), { client });
    } catch (thrown) {
      error = toRpcError(thrown, request, client, log);
    }
    const record: CallRecord = { conn: client.id, method: request.method.slice(0, 100), ms: Math.round((performance.now() - started) * 10) / 10, ok: error === undefined };
    if (request.id !== undefined) record.id = typeof request.id === "string" ? request.id.slice(0, 64) : request.id;
    if (error) {
      record.rpcError = error.code;
      const code = errorCodeOf(error);
      if (code) record.code = code;
    }
    calls.record(record);
    if (request.id === undefined) return undefined;
    return error ? errorResponse(request.id, error) : resultResponse(request.id, result);
  };
}

function errorCodeOf(error: RpcErrorObject): string | undefined {
  const code = (error.data as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function checkParams(spec: Method<unknown>, params: unknown): unknown {
  if (Array.isArray(params)) {
    if (params.length === 0 && !spec.params) return undefined;
    throw new RpcFailure(INVALID_PARAMS, "invalid params: pass them by name, as an object", { issues: [{ path: "", message: "expected an object, got an array" }] });
  }
  if (!spec.params) {
    if (params === undefined || (typeof params === "object" && params !== null && Object.keys(params).length === 0)) return undefined;
    throw new RpcFailure(INVALID_PARAMS, "invalid params: this method takes none", { issues: Object.keys(params as object).map((key) => ({ path: key, message: "unknown key: the method takes no params" })) });
  }
  const parsed = spec.params.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
  throw new RpcFailure(INVALID_PARAMS, `invalid params: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, { issues });
}

function toRpcError(thrown: unknown, request: RpcRequest, client: RpcClient, log: Logger): RpcErrorObject {
  if (thrown instanceof RpcFailure) return thrown.toObject();
  if (isAlephError(thrown)) {
    return { code: ALEPH_ERROR, message: thrown.message, data: { code: thrown.code, ...(thrown.fix !== undefined ? { fix: thrown.fix } : {}) } };
  }
  log.error("a method failed", { conn: client.id, method: request.method.slice(0, 100), error: thrown });
  return { code: INTERNAL_ERROR, message: `internal error in ${request.method.slice(0, 100)}: ${errorMessage(thrown).slice(0, 300)}` };
}
