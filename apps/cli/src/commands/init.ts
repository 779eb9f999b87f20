import { resolvePaths } from "@aleph/kernel";
import type { Command } from "../command.js";
import { initWorkspace } from "../workspace-init.js";

export const initCommand: Command = {
  name: "init",
  summary: "Create the workspace (state root); never overwrites an existing file",
  details: "Creates config.toml (every default, commented), providers.toml (0600), plugins/, logs/, run/,\nand links ~/.aleph to the root when the root is in the home directory and ~/.aleph does not exist.",
  run({ env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const result = initWorkspace(paths);
    if (result.created.length === 0) {
      out(`Workspace at ${result.root} is already complete; nothing changed.\n`);
    } else {
      out(`Workspace at ${result.root}:\n${result.created.map((c) => `  created ${c}`).join("\n")}\n`);
    }
    return 0;
  },
};
