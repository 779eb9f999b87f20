import { parseArgs } from "node:util";
import type { CommandDeclaration, CommandOptionDeclaration, CommandValue } from "@aleph/plugin-sdk/core";
import { UsageError } from "../command.js";
import { nearest } from "./suggest.js";

export interface ParsedCommandLine {
  help: boolean;
  args: Record<string, string | string[] | undefined>;
  options: Record<string, CommandValue | undefined>;
}

/** "a session key" (the argument's summary) or "<key>". */
function argLabel(arg: { name: string; summary?: string }): string {
  return arg.summary ?? `<${arg.name}>`;
}

function checkInteger(option: CommandOptionDeclaration, text: string): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const { min, max } = option;
  if (!Number.isSafeInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : "";
    throw new UsageError(`--${option.name} takes a whole number${range}, not "${text}"`);
  }
  return value;
}

function checkNumber(option: CommandOptionDeclaration, text: string): number {
  // Decimal notation only: Number() would also take 0x10, 0b1, 1e3 and "Infinity".
  const value = /^-?(\d+\.?\d*|\.\d+)$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const { min, max } = option;
  if (!Number.isFinite(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : "";
    throw new UsageError(`--${option.name} takes a number${range}, not "${text}"`);
  }
  return value;
}

function convert(option: CommandOptionDeclaration, raw: string | boolean): CommandValue {
  if (option.type === "boolean") return raw === true;
  const text = String(raw);
  if (option.type === "integer") return checkInteger(option, text);
  if (option.type === "number") return checkNumber(option, text);
  if (option.choices && !option.choices.includes(text)) throw new UsageError(`--${option.name} takes ${option.choices.join(", ")}, not "${text}"`);
  return text;
}

/** node:util's message for a bad command line, an unknown option with the nearest declared one suggested. */
export function unknownOptionMessage(message: string, optionNames: string[]): string {
  const flag = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (!flag) return message.replace(/\. To specify a positional.*$/, "");
  const names = [...optionNames, "help"];
  const guess = flag.startsWith("--") ? nearest(flag.slice(2), names) : undefined;
  // Node's own wording, as the kernel's commands print it (`Unknown option '--jsno'`).
  return `Unknown option '${flag}'${guess ? ` (did you mean --${guess}?)` : ""}`;
}

/**
 * Checks a command line against a command's declaration: option types, ranges and choices,
 * required options and arguments, too many arguments. Every mistake is a UsageError; no plugin code runs.
 */
export function parseCommandLine(declaration: CommandDeclaration, argv: string[]): ParsedCommandLine {
  const specs: Record<string, { type: "boolean" | "string"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const option of declaration.options) {
    specs[option.name] = { type: option.type === "boolean" ? "boolean" : "string", ...(option.short ? { short: option.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: specs, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(unknownOptionMessage((error as Error).message, declaration.options.map((o) => o.name)));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { help: true, args: {}, options: {} };

  const options: Record<string, CommandValue | undefined> = {};
  for (const option of declaration.options) {
    const raw = values[option.name];
    if (raw === undefined) {
      if (option.required) throw new UsageError(`--${option.name} is required${option.choices ? ` (${option.choices.join(", ")})` : ""}`);
      options[option.name] = option.default ?? (option.type === "boolean" ? false : undefined);
    } else {
      options[option.name] = convert(option, raw);
    }
  }

  const positionals = parsed.positionals;
  const args: Record<string, string | string[] | undefined> = {};
  const declared = declaration.args;
  const variadic = declared.at(-1)?.variadic === true;
  if (!variadic && positionals.length > declared.length) {
    if (declared.length === 0) throw new UsageError(`takes no arguments, got ${positionals.length}`);
    throw new UsageError(`expected ${declared.map(argLabel).join(" and ")}, got ${positionals.length} arguments`);
  }
  declared.forEach((arg, i) => {
    if (arg.variadic) args[arg.name] = positionals.slice(i);
    else args[arg.name] = positionals[i];
    const missing = arg.variadic ? positionals.length <= i : positionals[i] === undefined;
    if (arg.required && missing) throw new UsageError(`expected ${argLabel(arg)}`);
  });
  return { help: false, args, options };
}
