import { json, plural, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { cell, channelsOf, relative } from "./support.js";

/**
 * `aleph interfaces list [--json]`: each channel's status in the running kernel. Channels are
 * daemon plugins: without a running kernel none runs, and this says so rather than start a kernel
 * to report an empty list.
 */
export async function interfacesListCommand(cmd: CommandInput): Promise<number> {
  if (cmd.kernel.mode === "in-process") {
    if (cmd.options.json === true) cmd.out(json([]));
    cmd.err("No kernel is running, so no channel is: channels run under `aleph start`.\n");
    return 0;
  }
  const channels = await channelsOf(cmd).list();
  if (cmd.options.json === true) {
    cmd.out(json(channels));
    return 0;
  }
  if (channels.length === 0) {
    cmd.out("No channels are running. Configure one, e.g.:\n\n  [interfaces.telegram]\n  token = \"keys:telegram-token\"\n  allow_from = [\"@your_username\"]\n\n(docs/channels.md)\n");
    return 0;
  }
  const now = Date.now();
  const rows = [["NAME", "PLUGIN", "STATE", "BOT", "LAST RECEIVE", "LAST SEND"]];
  for (const c of channels) rows.push([c.name, c.plugin, c.state, cell(c.botName, 40), relative(c.lastReceiveAt, now), relative(c.lastSendAt, now)]);
  cmd.out(table(rows));
  for (const c of channels.filter((c) => c.error)) cmd.out(`\n${c.name}: ${cell(c.error, 400)}\n`);
  const running = channels.filter((c) => c.state === "running").length;
  cmd.out(`\n${plural(channels.length, "channel")}, ${running} running.\n`);
  return 0;
}
