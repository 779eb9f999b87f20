import { json, plural, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { cell, mcpOf, middle, waitMs } from "./support.js";

/** `aleph mcp list [--json] [--wait <s>]`. */
export async function mcpListCommand(cmd: CommandInput): Promise<number> {
  const servers = await mcpOf(cmd).servers({ waitMs: waitMs(cmd) });
  if (cmd.options.json === true) {
    cmd.out(json(servers));
    return 0;
  }
  if (servers.length === 0) {
    cmd.out('No MCP servers configured. Add one to config.toml:\n\n  [[mcp.servers]]\n  name = "everything"\n  command = "npx"\n  args = ["-y", "@modelcontextprotocol/server-everything"]\n');
    return 0;
  }
  const rows = [["NAME", "STATUS", "TOOLS", "TRANSPORT", "PID", "TARGET"]];
  for (const s of servers) rows.push([s.name, s.status, String(s.tools), s.transport, s.pid === undefined ? "-" : String(s.pid), middle(s.target, 80)]);
  cmd.out(table(rows));
  for (const s of servers.filter((s) => s.error !== undefined || (s.stderr?.length ?? 0) > 0)) {
    const retry = s.nextAttemptAt ? ` (next attempt ${s.nextAttemptAt})` : "";
    cmd.out(`\n${s.name}: ${cell(s.error ?? s.status, 400)}${retry}\n`);
    for (const line of s.stderr ?? []) cmd.out(`  stderr: ${cell(line, 200)}\n`);
  }
  const ready = servers.filter((s) => s.status === "ready").length;
  cmd.out(`\n${plural(servers.length, "server")}, ${ready} ready. Tools are offered as <server>__<tool>: aleph mcp tools <server>\n`);
  return 0;
}
