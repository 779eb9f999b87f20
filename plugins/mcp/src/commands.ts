import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { mcpListCommand } from "./commands/list.js";
import { mcpToolsCommand } from "./commands/tools.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph mcp list` against a running kernel loads nothing of the plugin but these handlers.
 */
export default {
  commands: {
    "mcp list": mcpListCommand,
    "mcp tools": mcpToolsCommand,
  } satisfies Record<string, CommandHandler>,
};
