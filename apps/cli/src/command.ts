import { parseArgs } from "node:util";
import { AlephError, errorMessage, isAlephError, isCommandUsageError } from "@aleph/plugin-sdk/core";
import { unknownOptionMessage } from "./plugin-commands/parse-args.js";

export interface OptionSpec {
  type: "boolean" | "string";
  short?: string;
  description: string;
  /** For string options: the placeholder shown in help. */
  value?: string;
}

export interface CommandContext {
  args: string[];
  options: Record<string, string | boolean | undefined>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input (process.stdin by default); commands that read a value from it take it here. */
  stdin?: NodeJS.ReadStream;
}

export interface Command {
  /** Words after `aleph`, e.g. "plugins list". */
  name: string;
  summary: string;
  /** Positional arguments, e.g. "<id>". */
  args?: string;
  /** Extra help text: details, examples. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /**
   * Set when the command line may hold a secret typed there by mistake (`aleph keys set name
   * <value>`): an option error then says this instead of quoting what was typed.
   */
  secretArgs?: string;
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number> | number;
}

/** A usage error: exit code 2. */
export class UsageError extends Error {}

export function helpFor(command: Command): string {
  const lines = [`Usage: aleph ${command.name}${command.args ? ` ${command.args}` : ""}${command.options ? " [options]" : ""}`, "", command.summary];
  if (command.details) lines.push("", command.details);
  const options = { ...command.options, help: { type: "boolean", short: "h", description: "Show this help" } as OptionSpec };
  lines.push("", "Options:");
  for (const [name, spec] of Object.entries(options)) {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` <${spec.value ?? "value"}>` : ""}`;
    lines.push(`  ${flag.padEnd(28)}${spec.description}`);
  }
  return lines.join("\n") + "\n";
}

/** A line of the general help: a command's words, its arguments and its summary. */
export interface HelpEntry {
  name: string;
  args?: string;
  summary: string;
}

export function generalHelp(sections: { title: string; entries: HelpEntry[] }[], version: string): string {
  const all = sections.flatMap((s) => s.entries);
  const width = Math.max(...all.map((c) => `${c.name}${c.args ? ` ${c.args}` : ""}`.length)) + 2;
  const lines = [`aleph ${version} — a plugin host for AI-agent runtimes`, "", "Usage: aleph <command> [options]"];
  for (const section of sections) {
    if (section.entries.length === 0) continue;
    lines.push("", `${section.title}:`, ...section.entries.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ""}`.padEnd(width)}${c.summary}`));
  }
  lines.push(
    "",
    "Run `aleph <command> --help` (or `aleph help <command>`) for a command's options.",
    "The state root is ~/.config/aleph; ALEPH_STATE_DIR, ALEPH_PROFILE and ALEPH_HOME move it (docs/cli.md).",
  );
  return lines.join("\n") + "\n";
}

/** Finds the command named by the leading words of argv (longest match). */
export function findCommand<T extends { name: string }>(commands: T[], argv: string[]): { command: T; rest: string[] } | undefined {
  let best: { command: T; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(" ").length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** One line for a single problem; a list of problems (an invalid config) keeps one line each. */
function describeError(error: AlephError): string {
  if (!error.message.includes("\n")) return error.describe();
  return `${error.code}: ${error.message}${error.fix ? `\nFix: ${error.fix}` : ""}`;
}

/** Parses a command's arguments and runs it; maps errors to exit codes (1 failure, 2 usage). */
export async function runCommand(command: Command, rest: string[], io: Pick<CommandContext, "out" | "err" | "env" | "cwd" | "stdin">): Promise<number> {
  const optionSpecs: Record<string, { type: "boolean" | "string"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(command.options ?? {})) optionSpecs[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: optionSpecs, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = command.secretArgs ?? unknownOptionMessage(errorMessage(error), Object.keys(command.options ?? {}));
    io.err(`aleph ${command.name}: ${reason}\n`);
    io.err(`Run \`aleph ${command.name} --help\` for usage.\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(helpFor(command));
    return 0;
  }
  try {
    return await command.run({ ...io, args: parsed.positionals, options: parsed.values as CommandContext["options"] });
  } catch (error) {
    return reportFailure(command.name, error, io.err);
  }
}

/** Prints why a command failed and returns its exit code: 2 for a usage error, 1 for anything else. */
export function reportFailure(name: string, error: unknown, err: (text: string) => void): number {
  if (error instanceof UsageError || isCommandUsageError(error)) {
    err(`aleph ${name}: ${(error as Error).message}\nRun \`aleph ${name} --help\` for usage.\n`);
    return 2;
  }
  err(`aleph ${name}: ${isAlephError(error) ? describeError(error as AlephError) : errorMessage(error)}\n`);
  return 1;
}
