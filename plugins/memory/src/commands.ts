import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { addCommand, forgetCommand, listCommand, pinCommand, searchCommand, statsCommand } from "./commands/facts.js";
import { addEdgeCommand, showCommand } from "./commands/graph.js";
import { reindexCommand } from "./commands/reindex.js";
import { exportCommand, importCommand } from "./commands/transfer.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph memory search` against a running kernel loads neither LanceDB nor the plugin.
 */
export default {
  commands: {
    "memory add": addCommand,
    "memory search": searchCommand,
    "memory forget": forgetCommand,
    "memory list": listCommand,
    "memory pin": pinCommand,
    "memory stats": statsCommand,
    "memory reindex": reindexCommand,
    "memory import": importCommand,
    "memory export": exportCommand,
    "memory graph add-edge": addEdgeCommand,
    "memory graph show": showCommand,
  } satisfies Record<string, CommandHandler>,
};
