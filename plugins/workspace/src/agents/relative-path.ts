import { isAbsolute } from "node:path";

/**
 * Explains why `path` cannot be a path relative to some directory that it must stay inside, or
 * returns undefined when it can. Any ".." segment is refused, even one that would come back
 * inside: a scoped caller has no reason to climb, and a plain rule is one nobody can argue around.
 * Both separators are considered so the rule means the same on every platform.
 */
export function explainUnsafeRelative(path: unknown): string | undefined {
  if (typeof path !== "string") return `must be a string, got ${path === null ? "null" : typeof path}`;
  if (path.includes("\0")) return "contains a NUL byte";
  if (isAbsolute(path) || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) return "is absolute";
  if (path.split(/[\\/]/).includes("..")) return 'contains ".."';
  return undefined;
}

/** A path quoted for a message, with control characters (NUL, newlines) escaped. */
export function quoted(path: unknown): string {
  return JSON.stringify(String(path));
}
