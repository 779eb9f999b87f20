import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { CommandUsageError, type CommandInput } from "./commands.js";
import { AlephError, errorMessage, isAlephError } from "./errors.js";
import { parseJsonText } from "./json-value.js";

/*
 * Input and output of the commands that write and show messages (`aleph sessions …`,
 * `aleph chat …`, and any plugin command like them): message content from `--content`,
 * `--content-file` or stdin, and text made safe for a terminal.
 *
 * A command taking content declares these options in its manifest's [[commands]] entry:
 *   { name = "content", value = "text", summary = "The message content (this or --content-file is required)" },
 *   { name = "content-file", value = "file|-", summary = "Read the content from a file, or - for stdin" },
 *   { name = "json-content", type = "boolean", summary = "Read the content as JSON" }
 */

/**
 * Text from a file argument, or from stdin for `-` (which must be piped: a terminal would wait for
 * input nobody means to type). `what` names the argument in errors. A missing file is
 * ALEPH_E_NOT_FOUND, any other unreadable one ALEPH_E_USAGE; `source` is the absolute path, or "stdin".
 */
export async function readTextInput(input: Pick<CommandInput, "cwd" | "stdin">, file: string, what: string): Promise<{ text: string; source: string }> {
  if (file === "-") {
    const stdin = input.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    if (stdin.isTTY) throw new CommandUsageError(`${what} - reads stdin, which is a terminal here: pipe the input in, or name a file`);
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return { text: Buffer.concat(chunks).toString("utf8"), source: "stdin" };
  }
  const source = resolve(input.cwd, file);
  try {
    return { text: await readFile(source, "utf8"), source };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "ALEPH_E_NOT_FOUND" : "ALEPH_E_USAGE";
    throw new AlephError(code, `cannot read ${source} (${what}): ${errorMessage(error).replace(/, open .*$/, "")}`, { fix: `name an existing, readable file for ${what}` });
  }
}

/**
 * The message content of `--content <text>` or `--content-file <file|->`: the text itself, or
 * with `--json-content` the JSON value it spells. Neither or both given, or text that is not JSON
 * under `--json-content`, is a CommandUsageError saying so.
 */
export async function messageContent(input: Pick<CommandInput, "options" | "cwd" | "stdin">): Promise<unknown> {
  const { options } = input;
  const inline = typeof options.content === "string" ? options.content : undefined;
  const file = typeof options["content-file"] === "string" ? options["content-file"] : undefined;
  if (inline !== undefined && file !== undefined) throw new CommandUsageError("give --content or --content-file, not both");
  if (inline === undefined && file === undefined) throw new CommandUsageError("--content <text> (or --content-file <file|->) is required");
  const text = inline ?? (await readTextInput(input, file!, "--content-file")).text;
  if (options["json-content"] !== true) return text;
  try {
    return parseJsonText(text, inline !== undefined ? "--content" : "--content-file");
  } catch (error) {
    if (!isAlephError(error)) throw error;
    const { message, fix } = error as AlephError;
    throw new CommandUsageError(`${message} (--json-content reads it as JSON)${fix ? `; ${fix}` : ""}`);
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
  const text = typeof content === "string" ? content : (JSON.stringify(content) ?? String(content));
  return printable(text).replace(/\n/g, "\n    ");
}

/** A time (ms since the epoch, or an ISO string) as an ISO 8601 UTC timestamp to the second; "-" for none. */
export function timeText(time: number | string | null | undefined): string {
  if (time === null || time === undefined) return "-";
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
