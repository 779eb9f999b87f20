import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { interfacesListCommand } from "./commands/list.js";
import { interfacesPairCommand, interfacesPairedCommand, interfacesPendingCommand, interfacesUnpairCommand } from "./commands/pairing.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph interfaces …` loads nothing of the registry but these handlers.
 */
export default {
  commands: {
    "interfaces list": interfacesListCommand,
    "interfaces pair": interfacesPairCommand,
    "interfaces pending": interfacesPendingCommand,
    "interfaces paired": interfacesPairedCommand,
    "interfaces unpair": interfacesUnpairCommand,
  } satisfies Record<string, CommandHandler>,
};
