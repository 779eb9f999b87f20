import { resolvePaths } from "@aleph/kernel/light";
import { findCommand, generalHelp, reportFailure, runCommand, type HelpEntry } from "./command.js";
import { bundledPlugins } from "./bundled.js";
import { KERNEL_COMMANDS } from "./kernel-commands.js";
import { describeConflict, readCommandIndex, unreadableOwner, type CommandIndex, type IndexedCommand } from "./plugin-commands/command-index.js";
import { argsUsage, pluginCommandHelp } from "./plugin-commands/help.js";
import type { CommandIo } from "./plugin-commands/io.js";
import { parseCommandLine } from "./plugin-commands/parse-args.js";
import { nearest } from "./plugin-commands/suggest.js";

/*
 * The launcher: the kernel's own commands (kernel-commands.ts) and the commands plugins declare in
 * their manifests (plugin-commands/). Listing, help and usage errors read manifests only; a
 * command's code is imported when it runs.
 */

declare const __ALEPH_VERSION__: string;
const VERSION = typeof __ALEPH_VERSION__ === "string" ? __ALEPH_VERSION__ : "dev";

/** Set when the reader of stdout went away (`aleph sessions export … | head`): the rest of the output is dropped. */
let stdoutClosed = false;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  stdoutClosed = true;
});

function pluginEntries(index: CommandIndex): HelpEntry[] {
  return index.commands.map((c) => ({ name: c.declaration.name, args: argsUsage(c.declaration), summary: c.declaration.summary }));
}

/** The plugin commands, or none when the state root cannot even be resolved (a bad ALEPH_PROFILE: the kernel's commands say why). */
function commandIndex(io: CommandIo): CommandIndex {
  try {
    return readCommandIndex(resolvePaths({ env: io.env, cwd: io.cwd }), bundledPlugins());
  } catch {
    return { commands: [], conflicts: [], unreadable: [] };
  }
}

function help(index: CommandIndex, filter?: string): string {
  const inGroup = <T extends { name: string }>(c: T) => filter === undefined || c.name.startsWith(`${filter} `);
  return generalHelp(
    [
      { title: "Commands", entries: KERNEL_COMMANDS.filter(inGroup) },
      { title: "Plugin commands", entries: pluginEntries(index).filter(inGroup) },
    ],
    VERSION,
  );
}

function warnConflicts(index: CommandIndex, io: CommandIo, command?: string): void {
  for (const conflict of index.conflicts) if (command === undefined || conflict.command === command) io.err(`warning: ${describeConflict(conflict)}\n`);
}

async function runPlugin(indexed: IndexedCommand, rest: string[], index: CommandIndex, io: CommandIo): Promise<number> {
  const name = indexed.declaration.name;
  warnConflicts(index, io, name);
  try {
    const parsed = parseCommandLine(indexed.declaration, rest);
    if (parsed.help) {
      io.out(pluginCommandHelp(indexed.declaration, { id: indexed.pluginId, source: indexed.source }));
      return 0;
    }
    const { runPluginCommand } = await import("./plugin-commands/run.js");
    return await runPluginCommand(indexed, parsed, io);
  } catch (error) {
    return reportFailure(name, error, io.err);
  }
}

/** What the user may have meant by an unknown command line. */
function suggestion(argv: string[], index: CommandIndex): string {
  const names = [...KERNEL_COMMANDS.map((c) => c.name), ...index.commands.map((c) => c.declaration.name)];
  const typed = argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ");
  const guess = nearest(typed, names) ?? nearest(argv[0] ?? "", names.map((n) => n.split(" ")[0]!));
  return guess ? `Did you mean \`aleph ${guess}\`? ` : "";
}

async function main(argv: string[]): Promise<number> {
  const io: CommandIo = {
    out: (text: string) => void (stdoutClosed || process.stdout.write(text)),
    err: (text: string) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.out(`${VERSION}\n`);
    return 0;
  }
  if (argv[0] === "__doctor-checks") {
    // Not a command anyone types: `aleph doctor` runs a plugin's checks in a child process with it.
    const { runChildChecks } = await import("./doctor/plugin-checks-child.js");
    return runChildChecks(argv.slice(1), io).catch((error: unknown) => reportFailure("doctor", error, io.err));
  }
  // `aleph help <command>` is `aleph <command> --help`.
  if (argv[0] === "help" && argv.length > 1) return main([...argv.slice(1), "--help"]);
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    const index = commandIndex(io);
    io.out(help(index));
    warnConflicts(index, io);
    return argv.length === 0 ? 2 : 0;
  }
  const own = findCommand(KERNEL_COMMANDS, argv);
  if (own) return runCommand(await own.command.load(), own.rest, io);
  const index = commandIndex(io);
  const plugin = findCommand(index.commands.map((c) => ({ name: c.declaration.name, indexed: c })), argv);
  if (plugin) return runPlugin(plugin.command.indexed, plugin.rest, index, io);
  // A group word alone ("aleph sessions") lists its subcommands.
  const group = [...KERNEL_COMMANDS.map((c) => c.name), ...index.commands.map((c) => c.declaration.name)].filter((n) => n.startsWith(`${argv[0]} `));
  if (group.length > 0 && (argv.length === 1 || argv[1] === "--help" || argv[1] === "-h")) {
    io.out(help(index, argv[0]));
    return argv.length === 1 ? 2 : 0;
  }
  const unreadable = unreadableOwner(index, argv);
  if (unreadable) {
    io.err(
      `aleph: "${argv.join(" ")}" is no command now; the plugin in ${unreadable.dir} may declare it, but its manifest is not valid TOML: ${unreadable.error} (${unreadable.manifestFile}). ` +
        "Fix: correct the manifest (`aleph plugins list` shows the error too), then run the command again.\n",
    );
    return 1;
  }
  io.err(`aleph: unknown command "${argv.join(" ")}"\n${suggestion(argv, index)}Run \`aleph --help\` for the list of commands.\n`);
  return 2;
}

let settled = false;
// A command whose work waits on a promise nothing will ever settle (a plugin handler awaiting a
// service that dropped the call) leaves Node with nothing to do: it would exit 0 in silence.
process.on("exit", () => {
  if (settled || process.exitCode !== undefined) return; // finished, or ended on purpose (process.exit)
  process.stderr.write("aleph: the command stopped without finishing: it was waiting for something nothing would ever complete (a plugin call that never answers)\n");
  process.exitCode = 1;
});
main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`aleph: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
