import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { cronListCommand } from "./commands/list.js";
import { cronRunNowCommand } from "./commands/run-now.js";
import { cronRunsCommand } from "./commands/runs.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph cron list` against a running kernel loads nothing of the plugin but these handlers.
 */
export default {
  commands: {
    "cron list": cronListCommand,
    "cron runs": cronRunsCommand,
    "cron run-now": cronRunNowCommand,
  } satisfies Record<string, CommandHandler>,
};
