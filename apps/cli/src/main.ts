#!/usr/bin/env node
import { findCommand, generalHelp, runCommand, type Command } from "./command.js";
import { configCheckCommand, configSchemaCommand } from "./commands/config.js";
import { agentsAddCommand, agentsContextCommand, agentsListCommand, agentsRemoveCommand } from "./commands/agents.js";
import { chatCommands } from "./commands/chat.js";
import { doctorCommand } from "./commands/doctor.js";
import { identityShowCommand } from "./commands/identity.js";
import { initCommand } from "./commands/init.js";
import { keysGetCommand, keysListCommand, keysRmCommand, keysSetCommand } from "./commands/keys.js";
import { pluginsInspectCommand, pluginsListCommand } from "./commands/plugins.js";
import { pluginsNewCommand } from "./commands/plugins-new.js";
import { sessionsCommands } from "./commands/sessions.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { toolsCallCommand, toolsListCommand } from "./commands/tools.js";

declare const __ALEPH_VERSION__: string;
const VERSION = typeof __ALEPH_VERSION__ === "string" ? __ALEPH_VERSION__ : "dev";

const commands: Command[] = [
  initCommand,
  startCommand,
  statusCommand,
  pluginsListCommand,
  pluginsInspectCommand,
  pluginsNewCommand,
  configCheckCommand,
  configSchemaCommand,
  toolsListCommand,
  toolsCallCommand,
  keysSetCommand,
  keysGetCommand,
  keysListCommand,
  keysRmCommand,
  agentsListCommand,
  agentsAddCommand,
  agentsRemoveCommand,
  agentsContextCommand,
  identityShowCommand,
  ...sessionsCommands,
  ...chatCommands,
  doctorCommand,
];

/** Set when the reader of stdout went away (`aleph sessions export … | head`): the rest of the output is dropped. */
let stdoutClosed = false;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  stdoutClosed = true;
});

async function main(argv: string[]): Promise<number> {
  const out = (text: string) => void (stdoutClosed || process.stdout.write(text));
  const err = (text: string) => void process.stderr.write(text);
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    out(generalHelp(commands, VERSION));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    out(`${VERSION}\n`);
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    // A group word alone ("aleph plugins") lists its subcommands.
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv.length === 1 || argv[1] === "--help" || argv[1] === "-h")) {
      out(generalHelp(group, VERSION));
      return argv.length === 1 ? 2 : 0;
    }
    err(`aleph: unknown command "${argv.join(" ")}"\nRun \`aleph --help\` for the list of commands.\n`);
    return 2;
  }
  return runCommand(found.command, found.rest, { out, err, env: process.env, cwd: process.cwd() });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aleph: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
