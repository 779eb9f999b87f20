import { json, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { argument, cell, mcpOf, waitMs } from "./support.js";

/** `aleph mcp tools <server> [--json] [--wait <s>]`. */
export async function mcpToolsCommand(cmd: CommandInput): Promise<number> {
  const server = argument(cmd, "server");
  const tools = await mcpOf(cmd).tools(server, { waitMs: waitMs(cmd) });
  if (cmd.options.json === true) {
    cmd.out(json(tools));
    return 0;
  }
  if (tools.length === 0) {
    cmd.out(`No tools known for "${server}" yet: see its status with \`aleph mcp list\`.\n`);
    return 0;
  }
  cmd.out(table([["NAME", "MCP NAME", "DESCRIPTION"], ...tools.map((t) => [t.name, t.original, cell(t.description, 100)])]));
  for (const t of tools.filter((t) => t.skipped !== undefined)) cmd.err(`${t.name}: not registered: ${cell(t.skipped!, 300)}\n`);
  return 0;
}
