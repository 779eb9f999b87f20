import type { CommandHandler } from "@aleph/plugin-sdk/core";
import { protocolsList } from "./commands/protocols-list.js";
import { protocolsValidate } from "./commands/protocols-validate.js";
import { providersList } from "./commands/providers-list.js";
import { providersTest } from "./commands/providers-test.js";

/**
 * The plugin's commands (`[plugin] commands_entry`): the CLI imports this module alone to run them,
 * so a command against a running kernel loads none of the adapters or schemas.
 */
export default {
  commands: {
    "providers list": providersList,
    "providers test": providersTest,
    "protocols list": protocolsList,
    "protocols validate": protocolsValidate,
  } satisfies Record<string, CommandHandler>,
};
