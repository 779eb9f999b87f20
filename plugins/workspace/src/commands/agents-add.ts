import { existsSync } from "node:fs";
import { join } from "node:path";
import { audited, writeFileAtomicSync, type CommandInput } from "@aleph/plugin-sdk";
import { appendAgent } from "./agents-config.js";
import { agentIdArg, auditEntry, configText, reloadLoadableConfig, workspaceOf } from "./command-support.js";

/** `aleph agents add <id> [--preset default|openboa]` (the manifest limits --preset to its choices). */
export async function agentsAddCommand(cmd: CommandInput): Promise<number> {
  const id = agentIdArg(cmd);
  const preset = typeof cmd.options.preset === "string" ? cmd.options.preset : undefined;
  const { root, configFile } = cmd.paths;
  return audited(root, auditEntry("agents.add", id), async () => {
    const workspace = workspaceOf(cmd);
    // The kernel reads config.toml now (a running one may not have seen the user's last edit; one
    // started for this command refuses a file that does not parse, before anything is written).
    await reloadLoadableConfig(cmd);
    const declared = (await workspace.agents()).map((a) => a.id);
    const existed = existsSync(join(root, "agents", id));
    if (declared.includes(id)) cmd.out(`Agent "${id}" is already declared; seeding what is missing.\n`);
    else {
      writeFileAtomicSync(configFile, appendAgent(configText(cmd), configFile, id, preset));
      await cmd.kernel.reloadConfig();
    }
    const seeded = await workspace.seed(id);
    // A kernel that applies the new declaration seeds the agent itself: judge by what existed before.
    cmd.out(existed ? `Agent "${id}": its workspace ${seeded.workspaceDir} was there; only missing files were added\n` : `Agent "${id}": created its workspace ${seeded.workspaceDir}\n`);
    return 0;
  });
}
