import { types } from "node:util";

/** Properties of an error worth keeping beside its message (AlephError's, and Node's system errors'). */
const ERROR_DETAILS = ["code", "fix", "file", "line", "column", "errno", "syscall", "path"] as const;

/** Causes and aggregated errors are followed this deep: enough for a wrapped error, bounded for a cyclic one. */
const MAX_DEPTH = 4;

function isError(value: unknown): value is Error {
  // isNativeError also catches errors from other realms (vm contexts), which fail instanceof.
  return value instanceof Error || types.isNativeError(value);
}

/**
 * An error as a plain JSON object: type, message, code (and the other details it carries), stack,
 * cause. An Error has no enumerable own properties, so without this it is logged as `{}`.
 */
export function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const details = error as unknown as Record<string, unknown>;
  for (const key of ERROR_DETAILS) if (details[key] !== undefined && details[key] !== null) out[key] = details[key];
  if (error.stack) out.stack = error.stack;
  if (depth < MAX_DEPTH) {
    if (error.cause !== undefined) out.cause = isError(error.cause) ? serializeError(error.cause, depth + 1) : error.cause;
    if (error instanceof AggregateError) out.errors = error.errors.map((e: unknown) => (isError(e) ? serializeError(e, depth + 1) : e));
  }
  return out;
}

/** A copy of log fields in which every Error, at any depth, is serialised (see serializeError). */
export function serializeErrors<T>(value: T, depth = 0): T {
  if (isError(value)) return serializeError(value) as T;
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => serializeErrors(v, depth + 1)) as T;
  // Only plain objects are walked: a Date, Buffer or class instance keeps its own JSON form.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = serializeErrors(v, depth + 1);
  return out as T;
}

/** True for what serializeError produced (after a JSON round trip), so a human line can print it briefly. */
export function isSerializedError(value: unknown): value is { type?: string; message: string; code?: unknown; stack?: string } {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === "string" && typeof v.stack === "string" && (v.type === undefined || typeof v.type === "string");
}
