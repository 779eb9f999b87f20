import { json, table, toolsRef, type CommandInput } from "@aleph/plugin-sdk";

/** `aleph tools list [--json]`. */
export async function toolsList(cmd: CommandInput): Promise<number> {
  const tools = await cmd.kernel.service(toolsRef).list();
  if (cmd.options.json) cmd.out(json(tools));
  else if (tools.length === 0) cmd.out("No tools registered.\n");
  else cmd.out(table([["NAME", "PLUGIN", "DESCRIPTION"], ...tools.map((t) => [t.name, t.plugin, t.description])]));
  return 0;
}
