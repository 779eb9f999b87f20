import { AlephError } from "./errors.js";

/**
 * Strict JSON serialisation for data that is stored and read back: the value must survive a
 * round trip unchanged. `JSON.stringify` silently turns NaN into null, drops `undefined` object
 * members and functions, calls `toJSON` (a Date becomes a string) and throws an unhelpful
 * message on cycles and BigInt; here each of those is an ALEPH_E_JSON error naming the path of
 * the offending member (`content.parts[2].size`) and the size limit is checked in UTF-8 bytes.
 */
export interface JsonTextOptions {
  /** What the value is, for messages ("message content"). */
  what: string;
  /** Largest serialisation in UTF-8 bytes. */
  maxBytes?: number;
  /** The name of the value in member paths (`content` → `content.parts[2]`); default: the last word of `what`. */
  root?: string;
  /** How to raise the limit, for the fix text ("raise [chat] max_message_bytes in config.toml"). */
  limitFix?: string;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

function check(value: unknown, path: string, seen: Set<object>, what: string): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      break;
    case "object": {
      if (value === null) return;
      if (seen.has(value)) {
        throw new AlephError("ALEPH_E_JSON", `${what} is not JSON: ${path} refers back to itself (a cycle)`, {
          fix: "pass a tree of plain objects, arrays, strings, numbers, booleans and null",
        });
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) break;
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, seen, what);
      } else {
        for (const [key, member] of Object.entries(value)) {
          check(member, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, seen, what);
        }
      }
      seen.delete(value);
      return;
    }
    default:
      break;
  }
  throw new AlephError("ALEPH_E_JSON", `${what} is not JSON: ${path} is ${describe(value)}, which JSON cannot represent exactly`, {
    fix: "use only plain objects, arrays, strings, finite numbers, booleans and null (convert dates to ISO strings)",
  });
}

/** Serialises `value` as compact JSON, refusing anything that would not read back as the same value. */
export function toJsonText(value: unknown, options: JsonTextOptions): string {
  if (value === undefined) {
    throw new AlephError("ALEPH_E_JSON", `${options.what} is missing`, { fix: "pass a string or any JSON value" });
  }
  check(value, options.root ?? options.what.split(" ").at(-1) ?? "value", new Set(), options.what);
  const text = JSON.stringify(value);
  if (options.maxBytes !== undefined) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > options.maxBytes) {
      throw new AlephError("ALEPH_E_LIMIT", `${options.what} is ${bytes} bytes, over the limit of ${options.maxBytes} bytes`, {
        fix: `send less (or split it)${options.limitFix ? `, or ${options.limitFix}` : ""}`,
      });
    }
  }
  return text;
}

/** Parses JSON text supplied by a user (a CLI flag, an import line), with a clear error. */
export function parseJsonText(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AlephError("ALEPH_E_JSON", `${where} is not valid JSON: ${(error as Error).message}`, {
      fix: 'quote plain text as a JSON string ("hello"), or pass valid JSON',
    });
  }
}
