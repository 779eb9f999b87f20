import { AlephError, audited, writeFileAtomicSync, type CommandInput } from "@aleph/plugin-sdk";
import { removeAgent } from "./agents-config.js";
import { agentIdArg, auditEntry, configText, workspaceOf } from "./command-support.js";

/** `aleph agents remove <id> [--purge]`: the tree is archived (or deleted), then the declaration removed. */
export async function agentsRemoveCommand(cmd: CommandInput): Promise<number> {
  const id = agentIdArg(cmd);
  const purge = cmd.options.purge === true;
  const { root, configFile } = cmd.paths;
  return audited(root, auditEntry(purge ? "agents.purge" : "agents.remove", id), async () => {
    const removed = removeAgent(configText(cmd), id);
    if (removed === undefined) {
      throw new AlephError("ALEPH_E_NOT_FOUND", `agent "${id}" is not declared in config.toml`, { file: configFile, fix: "see `aleph agents list`" });
    }
    // The tree goes first (the plugin still knows the agent), then the declaration.
    const result = await workspaceOf(cmd).remove(id, { purge });
    writeFileAtomicSync(configFile, removed);
    await cmd.kernel.reloadConfig();
    cmd.out(result.archivedTo ? `Agent "${id}" removed; its tree is archived at ${result.archivedTo}\n` : `Agent "${id}" removed and its tree deleted\n`);
    return 0;
  });
}
