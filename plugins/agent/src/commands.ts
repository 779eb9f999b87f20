import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { talkCommand } from "./commands/talk.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so `aleph talk` against a running kernel loads none of the agent loop.
 */
export default { commands: { talk: talkCommand } satisfies Record<string, CommandHandler> };
