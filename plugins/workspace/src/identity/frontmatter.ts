import { AlephError } from "@aleph/plugin-sdk";
import type { FrontmatterEntry, SoulScalar, SoulValue } from "./types.js";

/**
 * The YAML subset of soul frontmatter: `key: scalar`, `key:` followed by `- item` lines, and
 * `key: [a, b]`, with `#` comments. Scalars are plain, 'single' or "double" quoted and typed as
 * YAML 1.2's core schema types them (null, booleans, numbers, else strings).
 *
 * The rule for everything else: whatever this parser accepts means the same to a real YAML
 * parser, and whatever it would read differently (nested mappings, block scalars, anchors,
 * tags, an unquoted `: ` inside a value…) is an error naming the file and line, so a soul file
 * never silently means one thing here and another in an editor or a linter.
 */

interface Where {
  file: string;
  line: number;
}

function fail(message: string, at: Where, fix: string): never {
  throw new AlephError("ALEPH_E_IDENTITY", message, { file: at.file, line: at.line, fix });
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?=[ \t]|$)(.*)$/;
const LIST_ITEM = /^( *)-(?=[ \t]|$)(.*)$/;
const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;
const QUOTE_FIX = 'quote the value ("…"), or move long text into a section of the body';

function show(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed);
}

/** YAML forbids tabs in indentation; say so rather than guess what the author meant. */
function checkIndent(text: string, at: Where): void {
  const indent = /^[ \t]*/.exec(text)![0];
  if (indent.includes("\t")) fail("a tab in the indentation of the frontmatter (YAML allows only spaces)", at, "indent with spaces");
}

/**
 * Parses the frontmatter lines (those between the `---` fences). `firstLine` is the file line
 * of `lines[0]`, so errors and entries carry file lines. A duplicate key is an error: YAML
 * requires unique keys, and keeping either value would hide the other from its author.
 */
export function parseFrontmatter(lines: readonly string[], file: string, firstLine: number): Record<string, FrontmatterEntry> {
  const out: Record<string, FrontmatterEntry> = Object.create(null);
  let i = 0;
  while (i < lines.length) {
    const text = lines[i]!;
    const at = { file, line: firstLine + i };
    if (BLANK_OR_COMMENT.test(text)) {
      i++;
      continue;
    }
    checkIndent(text, at);
    if (LIST_ITEM.test(text)) fail(`a list item with no key above it: ${show(text)}`, at, "put `key:` on the line before the first `- item`");
    if (/^ /.test(text)) fail(`an indented line: ${show(text)} (nested mappings and multi-line values are not supported)`, at, "write `key: value` at the start of the line; move long text into a section of the body");
    const match = KEY_LINE.exec(text);
    if (!match) explainNotKeyValue(text, at);
    const key = match[1]!;
    const previous = out[key];
    if (previous) fail(`duplicate key "${key}" (first set on line ${previous.line})`, at, `keep one "${key}:" line`);
    let value = parseValueText(match[2]!, at, "value");
    if (value === undefined) {
      const list = parseBlockList(lines, i + 1, file, firstLine);
      value = list.items ?? null; // `key:` with nothing under it is null, as in YAML
      i = list.next;
    } else i++;
    out[key] = { value, line: at.line };
  }
  return out;
}

function explainNotKeyValue(text: string, at: Where): never {
  if (/^[A-Za-z_][A-Za-z0-9_.-]*:[^ \t]/.test(text)) fail(`no space after the colon: ${show(text)}`, at, "write `key: value` with a space after the colon");
  if (/^["']/.test(text)) fail(`a quoted key: ${show(text)} (not supported)`, at, "use a plain key: letters, digits, _, - and .");
  if (/^[^:#]*:(?=[ \t]|$)/.test(text))
    fail(`unsupported key in ${show(text)}`, at, "use a plain key: letters, digits, _, - and ., starting with a letter or _");
  return fail(`not a \`key: value\` line: ${show(text)}`, at, "write `key: value`, `key: [a, b]`, or `key:` followed by `- item` lines");
}

/** The `- item` lines under `key:`; comments and blank lines between items are allowed. */
function parseBlockList(lines: readonly string[], start: number, file: string, firstLine: number): { items: SoulScalar[] | undefined; next: number } {
  const items: SoulScalar[] = [];
  let indent: { width: number; line: number } | undefined;
  let i = start;
  for (; i < lines.length; i++) {
    const text = lines[i]!;
    const at = { file, line: firstLine + i };
    if (BLANK_OR_COMMENT.test(text)) continue;
    checkIndent(text, at);
    const match = LIST_ITEM.exec(text);
    if (!match) {
      if (/^ /.test(text)) fail(`an indented line that is not a list item: ${show(text)} (nested mappings and multi-line values are not supported)`, at, "write each item as `- value` on its own line");
      break;
    }
    const width = match[1]!.length;
    if (!indent) indent = { width, line: at.line };
    else if (width !== indent.width) fail(`a list item indented by ${width} spaces, the first (line ${indent.line}) by ${indent.width}`, at, "indent every item of a list alike");
    const value = parseValueText(match[2]!, at, "item");
    items.push(value === undefined ? null : (value as SoulScalar));
  }
  return { items: items.length > 0 ? items : undefined, next: i };
}

type Context = "value" | "item" | "flow";

/** The value after `key:` or `-`; undefined when there is none (only spaces or a comment). */
function parseValueText(text: string, at: Where, context: Context): SoulValue | undefined {
  const start = skipSpaces(text, 0);
  if (start === text.length || text[start] === "#") return undefined;
  const first = text[start]!;
  let value: SoulValue;
  let end: number;
  if (first === '"') [value, end] = doubleQuoted(text, start + 1, at);
  else if (first === "'") [value, end] = singleQuoted(text, start + 1, at);
  else if (first === "[") {
    if (context === "item") fail("a list inside a list (not supported)", at, "make each item a single value");
    [value, end] = inlineList(text, start + 1, at);
  } else return resolvePlain(plainText(text.slice(start), at, context), at);
  if (!/^([ \t]+(#.*)?)?$/.test(text.slice(end))) fail(`unexpected text after the value: ${show(text.slice(end))}`, at, QUOTE_FIX);
  return value;
}

function skipSpaces(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  return i;
}

/** A plain (unquoted) scalar up to its comment, checked against what YAML would read otherwise. */
function plainText(raw: string, at: Where, context: Context): string {
  const comment = /[ \t]#/.exec(raw);
  const text = (comment ? raw.slice(0, comment.index) : raw).trimEnd();
  const first = text[0]!;
  const next = text[1];
  const spaced = next === undefined || next === " " || next === "\t";
  if (first === "-" && spaced) {
    if (context !== "value") fail("a list inside a list (not supported)", at, "make each item a single value");
    fail("a list item on the key's line", at, "put each `- item` on its own line under `key:`, or write `key: [a, b]`");
  }
  if ((first === "?" || first === ":") && spaced) fail(`complex YAML keys are not supported: ${show(text)}`, at, QUOTE_FIX);
  if (first === "{") fail("a mapping ({…}) as a value (nested mappings are not supported)", at, QUOTE_FIX);
  if (first === "&" || first === "*") fail("YAML anchors and aliases are not supported", at, QUOTE_FIX);
  if (first === "!") fail("YAML tags are not supported", at, QUOTE_FIX);
  if (first === "|" || first === ">") fail("block scalars (| and >) are not supported", at, "write the value on one line, or move long text into a section of the body");
  if (",]}%@`".includes(first)) fail(`a value starting with "${first}", which YAML reserves: ${show(text)}`, at, QUOTE_FIX);
  if (/:[ \t]/.test(text) || text.endsWith(":"))
    fail(`an unquoted ": " in ${show(text)} (YAML would read a nested mapping)`, at, QUOTE_FIX);
  return text;
}

/** Types a plain scalar as YAML 1.2's core schema does. */
function resolvePlain(text: string, at: Where): SoulScalar {
  if (/^(~|null|Null|NULL)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text) || /^0x[0-9a-fA-F]+$/.test(text) || /^0o[0-7]+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail(`the number ${text} is too large to keep exactly`, at, "quote it to keep it as text");
    return n;
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n)) fail(`the number ${text} is out of range`, at, "quote it to keep it as text");
    return n;
  }
  if (/^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(text)) fail(`${text} is not a supported number`, at, "quote it to keep it as text");
  return text;
}

const ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029",
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

function doubleQuoted(text: string, i: number, at: Where): [string, number] {
  let out = "";
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return [out, i + 1];
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    const digits = HEX_DIGITS[e];
    if (digits) {
      const hex = text.slice(i + 2, i + 2 + digits);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits ? parseInt(hex, 16) : NaN;
      if (!(code <= 0x10ffff)) fail(`a bad \\${e} escape in a quoted string`, at, `write \\${e} followed by ${digits} hex digits`);
      out += digits === 8 ? String.fromCodePoint(code) : String.fromCharCode(code);
      i += 2 + digits;
      continue;
    }
    const escaped = ESCAPES[e];
    if (escaped === undefined) fail(`an unknown escape \\${e} in a quoted string`, at, "write \\\\ for a backslash");
    out += escaped;
    i += 2;
  }
  return fail("a quoted string that does not end on its line (multi-line strings are not supported)", at, 'close the quote on the same line; write \\n for a line break in "double quotes"');
}

function singleQuoted(text: string, i: number, at: Where): [string, number] {
  let out = "";
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      if (text[i + 1] !== "'") return [out, i + 1];
      out += "'"; // '' is a quote inside 'single quotes'
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return fail("a quoted string that does not end on its line (multi-line strings are not supported)", at, "close the quote on the same line");
}

function inlineList(text: string, i: number, at: Where): [SoulScalar[], number] {
  const items: SoulScalar[] = [];
  const unclosed = () => fail("an inline list that is not closed on its line", at, "end the list with ] on the same line, or write `- item` lines under `key:`");
  for (;;) {
    i = skipSpaces(text, i);
    if (i >= text.length || text[i] === "#") unclosed();
    if (text[i] === "]") return [items, i + 1]; // also after a trailing comma, as YAML allows
    const c = text[i]!;
    let item: SoulScalar;
    if (c === '"') [item, i] = doubleQuoted(text, i + 1, at);
    else if (c === "'") [item, i] = singleQuoted(text, i + 1, at);
    else if (c === "[" || c === "{") fail("a list or mapping inside an inline list (not supported)", at, "make each item a single value");
    else if (c === ",") fail("an empty item in an inline list", at, "remove the extra comma, or write null");
    else {
      let j = i;
      while (j < text.length && text[j] !== "," && text[j] !== "]" && !(text[j] === "#" && /[ \t]/.test(text[j - 1]!))) {
        if (text[j] === "[" || text[j] === "{") fail(`"${text[j]}" inside an inline list item`, at, QUOTE_FIX);
        j++;
      }
      item = resolvePlain(plainText(text.slice(i, j).trimEnd(), at, "flow"), at);
      i = j;
    }
    items.push(item);
    i = skipSpaces(text, i);
    if (i >= text.length || text[i] === "#") unclosed();
    if (text[i] === ",") i++;
    else if (text[i] === "]") return [items, i + 1];
    else fail(`expected "," or "]" in an inline list, found ${show(text.slice(i))}`, at, QUOTE_FIX);
  }
}

/** A string that reads back as itself when written unquoted. */
function isPlainSafe(text: string): boolean {
  if (text === "" || text !== text.trim()) return false;
  if (/[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(text)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text)) return false;
  if (/:[ \t]|:$|[ \t]#/.test(text)) return false;
  try {
    return resolvePlain(text, { file: "", line: 0 }) === text;
  } catch {
    return false;
  }
}

/** One scalar as frontmatter text that `parseFrontmatter` reads back to the same value. */
export function renderScalar(value: SoulScalar): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  // JSON string syntax is valid YAML double-quoted syntax, and every escape it uses is read above.
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

/** One key as frontmatter lines; lists as `- item` lines, the form soul files are written in. */
export function renderEntry(key: string, value: SoulValue): string {
  if (!Array.isArray(value)) return `${key}: ${renderScalar(value)}`;
  if (value.length === 0) return `${key}: []`;
  return [`${key}:`, ...value.map((item) => `- ${renderScalar(item)}`)].join("\n");
}
