import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { AlephError, errorMessage, isAlephError, parseJsonText } from "@aleph/plugin-sdk";
import { UsageError, type CommandContext } from "./command.js";

/*
 * Arguments and output shared by the commands that write and show messages (`aleph sessions …`,
 * `aleph chat …`).
 */

/** A whole-number option (`--limit 20`), or undefined when not given; anything else is a usage error. */
export function integerOption(options: CommandContext["options"], name: string, range: { min: number; max?: number }): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || (range.max !== undefined && value > range.max)) {
    throw new UsageError(`--${name} takes a whole number ${range.max === undefined ? `≥ ${range.min}` : `from ${range.min} to ${range.max}`}, not "${text}"`);
  }
  return value;
}

/** The value of a string option, or undefined. */
export function stringOption(options: CommandContext["options"], name: string): string | undefined {
  const raw = options[name];
  return typeof raw === "string" ? raw : undefined;
}

/** Exactly one positional argument, named `what` in the usage error. */
export function onePositional(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(args.length === 0 ? `expected ${what}` : `expected one ${what}, got ${args.length} arguments`);
  return args[0]!;
}

/**
 * Text from a file argument, or from stdin for `-` (which must be piped: a terminal would wait for
 * input nobody means to type). `what` names the argument in errors.
 */
export async function readTextInput(ctx: Pick<CommandContext, "cwd" | "stdin">, file: string, what: string): Promise<{ text: string; source: string }> {
  if (file === "-") {
    const input = ctx.stdin ?? process.stdin;
    if (input.isTTY) throw new UsageError(`${what} - reads stdin, which is a terminal here: pipe the input in, or name a file`);
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return { text: Buffer.concat(chunks).toString("utf8"), source: "stdin" };
  }
  const source = resolve(ctx.cwd, file);
  try {
    return { text: await readFile(source, "utf8"), source };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "ALEPH_E_NOT_FOUND" : "ALEPH_E_USAGE";
    throw new AlephError(code, `cannot read ${source} (${what}): ${errorMessage(error).replace(/, open .*$/, "")}`, { fix: `name an existing, readable file for ${what}` });
  }
}

/** The options every message-writing command takes for its content. */
export const CONTENT_OPTIONS = {
  content: { type: "string", value: "text", description: "The message content (this or --content-file is required)" },
  "content-file": { type: "string", value: "file|-", description: "Read the content from a file, or - for stdin (for content too long for an argument)" },
  "json-content": { type: "boolean", description: "Read the content as JSON (an object, array, number, or a quoted string)" },
} as const;

/**
 * The message content of `--content <text>` or `--content-file <file|->`: the text itself, or
 * with `--json-content` the JSON value it spells (text that is not JSON is a usage error saying so).
 */
export async function contentOption(ctx: Pick<CommandContext, "options" | "cwd" | "stdin">): Promise<unknown> {
  const { options } = ctx;
  const inline = stringOption(options, "content");
  const file = stringOption(options, "content-file");
  if (inline !== undefined && file !== undefined) throw new UsageError("give --content or --content-file, not both");
  if (inline === undefined && file === undefined) throw new UsageError("--content <text> (or --content-file <file|->) is required");
  const text = inline ?? (await readTextInput(ctx, file!, "--content-file")).text;
  const flag = inline !== undefined ? "--content" : "--content-file";
  if (!options["json-content"]) return text;
  try {
    return parseJsonText(text, flag);
  } catch (error) {
    if (!isAlephError(error)) throw error;
    const { message, fix } = error as AlephError;
    throw new UsageError(`${message} (--json-content reads it as JSON)${fix ? `; ${fix}` : ""}`);
  }
}

/** Control characters other than newline and tab, which could move the cursor or recolour a terminal. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text made safe to print: control characters are shown as \uXXXX escapes. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A message's content for people: a string as text, any other value as compact JSON; later lines indented. */
export function contentText(content: unknown): string {
  const text = typeof content === "string" ? content : JSON.stringify(content) ?? String(content);
  return printable(text).replace(/\n/g, "\n    ");
}

/** A time (ms since the epoch, or an ISO string) as an ISO 8601 UTC timestamp to the second. */
export function timeText(time: number | string | null | undefined): string {
  if (time === null || time === undefined) return "-";
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
