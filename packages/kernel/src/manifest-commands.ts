import { z } from "./zod-mini.js";
import type { CommandDeclaration } from "@aleph/plugin-sdk";

/*
 * `[[commands]]` in a manifest: the commands a plugin adds to `aleph`, declared as data so help
 * and usage errors need no plugin code. The shape is checked by zod; what zod cannot say (a
 * default out of range, a required argument after an optional one) by commandProblems.
 */

const WORD = /^[a-z][a-z0-9-]{0,31}$/;
const SERVICE_ID = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** The `[[commands]]` schema; built on first use (see manifestFileSchema in manifest.ts). */
function buildCommandsSchema() {
  const argSchema = z.strictObject({
    // Shown as `<name>` in help and used as `cmd.args.<name>`, so camelCase is allowed (`<chatId>`).
    name: z.string().check(z.regex(/^[a-z][a-zA-Z0-9-]{0,31}$/, "argument names are words of letters, digits and - starting with a lowercase letter (key, chatId)")),
    summary: z.optional(z.string()),
    required: z._default(z.boolean(), false),
    variadic: z._default(z.boolean(), false),
  });

  const optionSchema = z.strictObject({
    name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, "option names are lowercase words (a-z, 0-9, -), without the leading --")),
    type: z._default(z.enum(["string", "integer", "number", "boolean"]), "string"),
    summary: z.optional(z.string()),
    short: z.optional(z.string().check(z.regex(/^[a-zA-Z]$/, "a short flag is one letter"))),
    value: z.optional(z.string().check(z.minLength(1))),
    default: z.optional(z.union([z.string(), z.number(), z.boolean()])),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    choices: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    required: z._default(z.boolean(), false),
  });

  const commandSchema = z.strictObject({
    name: z.string().check(
      z.refine((name) => name.split(" ").length <= 4 && name.split(" ").every((word) => WORD.test(word)), {
        message: 'is not a command: one to four lowercase words separated by single spaces, e.g. "sessions show"',
      }),
    ),
    summary: z.string().check(z.minLength(1)),
    details: z.optional(z.string()),
    args: z._default(z.array(argSchema), []),
    options: z._default(z.array(optionSchema), []),
    services: z._default(z.array(z.string().check(z.regex(SERVICE_ID, "is not a service id"))), []),
    all_plugins: z._default(z.boolean(), false),
  });
  return z.array(commandSchema);
}

let commands: ReturnType<typeof buildCommandsSchema> | undefined;

export function commandsSchema(): ReturnType<typeof buildCommandsSchema> {
  return (commands ??= buildCommandsSchema());
}

type CommandEntry = z.output<ReturnType<typeof buildCommandsSchema>>[number];

/** What a valid shape can still get wrong; each problem names the command and the key. */
export function commandProblems(commands: CommandEntry[], kind: "node" | "wasm"): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (kind === "wasm" && commands.length > 0) {
    problems.push({ path: "commands", message: "[[commands]] are implemented by a node plugin's definition; a wasm plugin offers tools instead" });
    return problems;
  }
  const names = new Set<string>();
  commands.forEach((command, index) => {
    const at = (key: string) => `commands[${index}]${key ? `.${key}` : ""} ("${command.name}")`;
    if (names.has(command.name)) problems.push({ path: at(""), message: "is declared twice" });
    names.add(command.name);
    command.args.forEach((arg, i) => {
      if (arg.variadic && i !== command.args.length - 1) problems.push({ path: at(`args[${i}]`), message: "only the last argument may be variadic" });
      if (arg.required && command.args.slice(0, i).some((earlier) => !earlier.required)) {
        problems.push({ path: at(`args[${i}]`), message: "a required argument cannot follow an optional one" });
      }
    });
    const seen = new Set<string>(["help"]);
    const shorts = new Set<string>(["h"]);
    command.options.forEach((option, i) => {
      const key = at(`options[${i}]`);
      if (seen.has(option.name)) problems.push({ path: key, message: `--${option.name} is ${option.name === "help" ? "every command's own" : "declared twice"}` });
      seen.add(option.name);
      if (option.short !== undefined) {
        if (shorts.has(option.short)) problems.push({ path: key, message: `-${option.short} is ${option.short === "h" ? "--help's short flag" : "taken by another option"}` });
        shorts.add(option.short);
      }
      const numeric = option.type === "integer" || option.type === "number";
      if (!numeric && (option.min !== undefined || option.max !== undefined)) problems.push({ path: key, message: "min and max apply to integer and number options" });
      if (option.choices !== undefined && option.type !== "string") problems.push({ path: key, message: "choices apply to string options" });
      if (option.min !== undefined && option.max !== undefined && option.min > option.max) problems.push({ path: key, message: `min ${option.min} is above max ${option.max}` });
      if (option.default !== undefined) {
        const problem = defaultProblem(option);
        if (problem) problems.push({ path: `${key}.default`, message: problem });
      }
    });
  });
  return problems;
}

function defaultProblem(option: CommandEntry["options"][number]): string | undefined {
  const value = option.default;
  if (option.type === "boolean") return typeof value === "boolean" ? undefined : "a boolean option's default is true or false";
  if (option.type === "string") {
    if (typeof value !== "string") return "a string option's default is a string";
    return option.choices && !option.choices.includes(value) ? `is not one of its choices (${option.choices.join(", ")})` : undefined;
  }
  if (typeof value !== "number" || (option.type === "integer" && !Number.isInteger(value))) return `is not ${option.type === "integer" ? "an integer" : "a number"}`;
  if (option.min !== undefined && value < option.min) return `is below min ${option.min}`;
  if (option.max !== undefined && value > option.max) return `is above max ${option.max}`;
  return undefined;
}

/** The validated TOML entry in the SDK's shape. */
export function toCommandDeclaration(entry: CommandEntry): CommandDeclaration {
  return {
    name: entry.name,
    summary: entry.summary,
    ...(entry.details === undefined ? {} : { details: entry.details }),
    args: entry.args.map((arg) => ({ name: arg.name, required: arg.required, variadic: arg.variadic, ...(arg.summary === undefined ? {} : { summary: arg.summary }) })),
    options: entry.options.map((option) => {
      const { name, type, required, ...rest } = option;
      return { name, type, required, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
    }),
    services: [...new Set(entry.services)],
    allPlugins: entry.all_plugins,
  };
}
