import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { gatewayTokenCommand } from "./commands/token.js";
import { gatewayUrlCommand } from "./commands/url.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run
 * them. Neither needs a kernel: they read the vault and data/gateway/listen.json.
 */
export default {
  commands: {
    "gateway token": gatewayTokenCommand,
    "gateway url": gatewayUrlCommand,
  } satisfies Record<string, CommandHandler>,
};
