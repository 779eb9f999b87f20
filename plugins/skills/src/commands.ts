import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { checkCommand, newCommand } from "./commands/author.js";
import { listCommand, showCommand } from "./commands/browse.js";
import { evolveCommand, statsCommand, suggestionsApplyCommand, suggestionsListCommand, suggestionsRejectCommand, suggestionsShowCommand } from "./commands/evolution.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph skills list` against a running kernel loads nothing of the plugin but these handlers.
 */
export default {
  commands: {
    "skills list": listCommand,
    "skills show": showCommand,
    "skills new": newCommand,
    "skills check": checkCommand,
    "skills stats": statsCommand,
    "skills evolve": evolveCommand,
    "skills suggestions list": suggestionsListCommand,
    "skills suggestions show": suggestionsShowCommand,
    "skills suggestions apply": suggestionsApplyCommand,
    "skills suggestions reject": suggestionsRejectCommand,
  } satisfies Record<string, CommandHandler>,
};
