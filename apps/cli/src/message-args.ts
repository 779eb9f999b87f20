import { isAlephError, parseJsonText, type AlephError } from "@aleph/plugin-sdk";
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
 * The message content of `--content <text>`: the text itself, or with `--json-content` the JSON
 * value it spells (text that is not JSON is a usage error saying so).
 */
export function contentOption(options: CommandContext["options"]): unknown {
  const text = stringOption(options, "content");
  if (text === undefined) throw new UsageError("--content <text> is required");
  if (!options["json-content"]) return text;
  try {
    return parseJsonText(text, "--content");
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
