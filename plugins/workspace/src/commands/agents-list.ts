import { json, table, type CommandInput } from "@aleph/plugin-sdk";
import { workspaceOf } from "./command-support.js";

/** `aleph agents list [--json]` */
export async function agentsListCommand(cmd: CommandInput): Promise<number> {
  const agents = await workspaceOf(cmd).agents();
  if (cmd.options.json === true) cmd.out(json(agents));
  else cmd.out(table([["ID", "PRESET", "WORKSPACE"], ...agents.map((a) => [a.id, a.preset, a.workspaceDir])]));
  return 0;
}
