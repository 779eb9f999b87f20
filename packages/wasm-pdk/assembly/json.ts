// JSON for plugins without a JSON library: write values with `jsonString`, `jsonNumber`, `jsonArray`
// and `JsonObject`; read one top-level key of an object, or one whole value, with the `jsonGet*` and
// `jsonParse*` functions. The reader is a scanner, not a validator: it assumes well-formed JSON (what
// the host sends) and answers null / NaN / -1 for anything it cannot read. It never traps.

const QUOTE: i32 = 0x22;
const BACKSLASH: i32 = 0x5c;
const HEX = "0123456789abcdef";

function hex4(code: i32): string {
  return "\\u" + HEX.charAt((code >> 12) & 15) + HEX.charAt((code >> 8) & 15) + HEX.charAt((code >> 4) & 15) + HEX.charAt(code & 15);
}

// The escape for one UTF-16 unit of a string being written, or null when it is written as is.
// Same output as JSON.stringify: short escapes, \u00XX for other control characters, lone surrogates as \uXXXX.
function escapeOf(s: string, i: i32): string | null {
  const c = s.charCodeAt(i);
  if (c == QUOTE) return '\\"';
  if (c == BACKSLASH) return "\\\\";
  if (c < 0x20) {
    if (c == 0x0a) return "\\n";
    if (c == 0x0d) return "\\r";
    if (c == 0x09) return "\\t";
    if (c == 0x08) return "\\b";
    if (c == 0x0c) return "\\f";
    return hex4(c);
  }
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    return next >= 0xdc00 && next <= 0xdfff ? null : hex4(c);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    return prev >= 0xd800 && prev <= 0xdbff ? null : hex4(c);
  }
  return null;
}

/** `s` as a JSON string literal, quoted and escaped exactly as JSON.stringify does. */
export function jsonString(s: string): string {
  const parts = new Array<string>();
  parts.push('"');
  let run = 0;
  for (let i = 0, n = s.length; i < n; i++) {
    const escaped = escapeOf(s, i);
    if (escaped === null) continue;
    if (i > run) parts.push(s.substring(run, i));
    parts.push(escaped);
    run = i + 1;
  }
  if (run == 0) return '"' + s + '"';
  if (run < s.length) parts.push(s.substring(run));
  parts.push('"');
  return parts.join("");
}

/** `n` as a JSON number: integers without a fraction, NaN and the infinities as null (as JSON.stringify does). */
export function jsonNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (n == 0) return "0";
  // AssemblyScript writes integral values as "3.0"; JavaScript, and so JSON.stringify, as "3".
  const text = n.toString();
  return text.endsWith(".0") ? text.substring(0, text.length - 2) : text;
}

/** A JSON array from already-encoded JSON values. */
export function jsonArray(items: string[]): string {
  return "[" + items.join(",") + "]";
}

/** Builds a JSON object key by key: `new JsonObject().str("name", name).int("count", 3).toString()`. */
export class JsonObject {
  private parts: string[] = new Array<string>();

  /** Adds a key with an already-encoded JSON value ("" stands for null). */
  raw(key: string, json: string): JsonObject {
    this.parts.push(jsonString(key) + ":" + (json.length == 0 ? "null" : json));
    return this;
  }

  /** Adds a string value. */
  str(key: string, value: string): JsonObject {
    return this.raw(key, jsonString(value));
  }

  /** Adds a number value. */
  num(key: string, value: f64): JsonObject {
    return this.raw(key, jsonNumber(value));
  }

  /** Adds an integer value. */
  int(key: string, value: i64): JsonObject {
    return this.raw(key, value.toString());
  }

  /** Adds a boolean value. */
  bool(key: string, value: bool): JsonObject {
    return this.raw(key, value ? "true" : "false");
  }

  /** The object's JSON text. */
  toString(): string {
    return "{" + this.parts.join(",") + "}";
  }
}

// ---- reading ----

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

function skipSpace(s: string, i: i32): i32 {
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  return i;
}

// The index just past the string literal that starts at i, or -1.
function skipString(s: string, i: i32): i32 {
  const n = s.length;
  if (i >= n || s.charCodeAt(i) != QUOTE) return -1;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == QUOTE) return i + 1;
    if (c == BACKSLASH) i += 2;
    else if (c < 0x20) return -1;
    else i++;
  }
  return -1;
}

// The index just past the value that starts at i, or -1. Objects and arrays are skipped by bracket depth,
// scalars (numbers, true, false, null) up to the next delimiter.
function skipValue(s: string, i: i32): i32 {
  const n = s.length;
  if (i >= n) return -1;
  const first = s.charCodeAt(i);
  if (first == QUOTE) return skipString(s, i);
  if (first == 0x7b || first == 0x5b) {
    let depth = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c == QUOTE) {
        i = skipString(s, i);
        if (i < 0) return -1;
        continue;
      }
      if (c == 0x7b || c == 0x5b) depth++;
      else if (c == 0x7d || c == 0x5d) {
        depth--;
        if (depth == 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  let j = i;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c == 0x2c || c == 0x7d || c == 0x5d || c == 0x3a || c == QUOTE || isSpace(c)) break;
    j++;
  }
  return j > i ? j : -1;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// Decodes the string literal s[start, end) (quotes included), or null when an escape is invalid.
function decodeString(s: string, start: i32, end: i32): string | null {
  const last = end - 1;
  const firstEscape = s.indexOf("\\", start);
  if (firstEscape < 0 || firstEscape >= last) return s.substring(start + 1, last);
  const parts = new Array<string>();
  let run = start + 1;
  let i = run;
  while (i < last) {
    if (s.charCodeAt(i) != BACKSLASH) {
      i++;
      continue;
    }
    if (i > run) parts.push(s.substring(run, i));
    if (i + 1 >= last) return null;
    const e = s.charCodeAt(i + 1);
    let width = 2;
    if (e == QUOTE) parts.push('"');
    else if (e == BACKSLASH) parts.push("\\");
    else if (e == 0x2f) parts.push("/");
    else if (e == 0x6e) parts.push("\n");
    else if (e == 0x72) parts.push("\r");
    else if (e == 0x74) parts.push("\t");
    else if (e == 0x62) parts.push("\b");
    else if (e == 0x66) parts.push("\f");
    else if (e == 0x75) {
      if (i + 6 > last) return null;
      let code = 0;
      for (let k = 2; k < 6; k++) {
        const h = hexValue(s.charCodeAt(i + k));
        if (h < 0) return null;
        code = (code << 4) | h;
      }
      // A surrogate pair written as two escapes decodes unit by unit into the same UTF-16 string.
      parts.push(String.fromCharCode(code));
      width = 6;
    } else return null;
    i += width;
    run = i;
  }
  if (run < last) parts.push(s.substring(run, last));
  return parts.join("");
}

/** The raw JSON text of the value of top-level `key` in the object `json` (the last one if repeated), or null. */
export function jsonGetRaw(json: string, key: string): string | null {
  const n = json.length;
  let i = skipSpace(json, 0);
  if (i >= n || json.charCodeAt(i) != 0x7b) return null;
  i = skipSpace(json, i + 1);
  if (i < n && json.charCodeAt(i) == 0x7d) return null;
  let found: string | null = null;
  while (true) {
    const keyEnd = skipString(json, i);
    if (keyEnd < 0) return null;
    const name = decodeString(json, i, keyEnd);
    i = skipSpace(json, keyEnd);
    if (i >= n || json.charCodeAt(i) != 0x3a) return null;
    i = skipSpace(json, i + 1);
    const valueEnd = skipValue(json, i);
    if (valueEnd < 0) return null;
    if (name !== null && name == key) found = json.substring(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (i >= n) return null;
    const c = json.charCodeAt(i);
    if (c == 0x7d) return found;
    if (c != 0x2c) return null;
    i = skipSpace(json, i + 1);
  }
}

/** The value of `json` decoded as a string when it is a JSON string literal (surrounding whitespace allowed), else null. */
export function jsonParseString(json: string): string | null {
  const start = skipSpace(json, 0);
  const end = skipString(json, start);
  if (end < 0 || skipSpace(json, end) != json.length) return null;
  return decodeString(json, start, end);
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** The value of `json` as a number when it is a JSON number (surrounding whitespace allowed), else NaN. */
export function jsonParseNumber(json: string): f64 {
  const start = skipSpace(json, 0);
  const n = json.length;
  let i = start;
  if (i < n && json.charCodeAt(i) == 0x2d) i++;
  if (i >= n || !isDigit(json.charCodeAt(i))) return NaN;
  if (json.charCodeAt(i) == 0x30) i++;
  else while (i < n && isDigit(json.charCodeAt(i))) i++;
  if (i < n && json.charCodeAt(i) == 0x2e) {
    i++;
    if (i >= n || !isDigit(json.charCodeAt(i))) return NaN;
    while (i < n && isDigit(json.charCodeAt(i))) i++;
  }
  if (i < n && (json.charCodeAt(i) == 0x65 || json.charCodeAt(i) == 0x45)) {
    i++;
    if (i < n && (json.charCodeAt(i) == 0x2b || json.charCodeAt(i) == 0x2d)) i++;
    if (i >= n || !isDigit(json.charCodeAt(i))) return NaN;
    while (i < n && isDigit(json.charCodeAt(i))) i++;
  }
  if (skipSpace(json, i) != n) return NaN;
  return parseFloat(json.substring(start, i));
}

/** The number of elements of `json` when it is a JSON array, else -1. */
export function jsonArrayLength(json: string): i32 {
  const n = json.length;
  let i = skipSpace(json, 0);
  if (i >= n || json.charCodeAt(i) != 0x5b) return -1;
  i = skipSpace(json, i + 1);
  if (i < n && json.charCodeAt(i) == 0x5d) return skipSpace(json, i + 1) == n ? 0 : -1;
  let count = 0;
  while (true) {
    const end = skipValue(json, i);
    if (end < 0) return -1;
    count++;
    i = skipSpace(json, end);
    if (i >= n) return -1;
    const c = json.charCodeAt(i);
    if (c == 0x5d) return skipSpace(json, i + 1) == n ? count : -1;
    if (c != 0x2c) return -1;
    i = skipSpace(json, i + 1);
  }
}

/** The string value of top-level `key` in the object `json`, or null when absent or not a string. */
export function jsonGetString(json: string, key: string): string | null {
  const raw = jsonGetRaw(json, key);
  return raw === null ? null : jsonParseString(raw);
}

/** The number value of top-level `key` in the object `json`, or `fallback` (NaN) when absent or not a number. */
export function jsonGetNumber(json: string, key: string, fallback: f64 = NaN): f64 {
  const raw = jsonGetRaw(json, key);
  if (raw === null) return fallback;
  const value = jsonParseNumber(raw);
  return isNaN(value) ? fallback : value;
}

/** The boolean value of top-level `key` in the object `json`, or `fallback` when absent or not a boolean. */
export function jsonGetBool(json: string, key: string, fallback: bool = false): bool {
  const raw = jsonGetRaw(json, key);
  if (raw === null) return fallback;
  if (raw == "true") return true;
  if (raw == "false") return false;
  return fallback;
}
