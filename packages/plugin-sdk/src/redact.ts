import { AlephError } from "./errors.js";

/** Keys whose values are secrets wherever they appear (config, log fields, errors). */
export const SECRET_KEY_PATTERN = /(api[_-]?key|token|secret|password|passphrase|authorization|private[_-]?key|credentials?)$/i;

export const REDACTED = "[redacted]";

/** Replaces the values of secret-named keys, at any depth, with a marker. */
export function redactFields<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY_PATTERN.test(key) && v !== undefined && v !== null && v !== "" ? REDACTED : redactFields(v, depth + 1);
  }
  return out as T;
}

/** Collects the string values of secret-named keys, so they can be scrubbed from free text too. */
export function collectSecrets(value: unknown, into: Set<string> = new Set(), depth = 0): Set<string> {
  if (depth > 8 || value === null || typeof value !== "object") return into;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string" && SECRET_KEY_PATTERN.test(key) && v.length >= 4) into.add(v);
    else collectSecrets(v, into, depth + 1);
  }
  return into;
}

/**
 * Scrubs known secret values out of text. The set is shared with the logger and refreshed on
 * every config load, so a secret never reaches a log line even inside a message string.
 */
export class SecretRedactor {
  #secrets: string[] = [];

  /** Adds secrets to the current set (a config that is rejected may still be quoted in the rejection). */
  add(secrets: Iterable<string>): void {
    this.set([...this.#secrets, ...secrets]);
  }

  set(secrets: Iterable<string>): void {
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    if (this.#secrets.length === 0) return text;
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      // Also catch the secret as it appears inside JSON strings, escaped once per level of nesting:
      // a log line (one level) holding a JSON request body a plugin logged as a string (two), and so on.
      let escaped = secret;
      for (let level = 0; level < 3; level++) {
        const next = JSON.stringify(escaped).slice(1, -1);
        if (next === escaped) break;
        escaped = next;
        if (out.includes(escaped)) out = out.split(escaped).join(REDACTED);
      }
    }
    return out;
  }

  /** A copy of a value (plain objects, arrays) with secrets scrubbed out of every string in it. */
  redactStrings<T>(value: T, depth = 0): T {
    if (this.#secrets.length === 0) return value;
    if (typeof value === "string") return this.redact(value) as T;
    if (depth > 16 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.redactStrings(v, depth + 1)) as T;
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = this.redactStrings(v, depth + 1);
    return out as T;
  }
}

/**
 * The copy of a failure that the host keeps and shows (status, inspect, events, logs): message,
 * fix and stack scrubbed of secret values. The cause is left behind: it is the plugin's own error,
 * whose message and properties can hold anything the plugin had in hand.
 */
export function redactError(error: AlephError, redact: (text: string) => string): AlephError {
  const copy = new AlephError(error.code, redact(error.message), {
    ...(error.fix !== undefined ? { fix: redact(error.fix) } : {}),
    ...(error.file !== undefined ? { file: error.file } : {}),
    ...(error.line !== undefined ? { line: error.line } : {}),
  });
  if (error.stack) copy.stack = redact(error.stack);
  return copy;
}
