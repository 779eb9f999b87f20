import { json, plural, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { argument, channelsOf, peerLabel, relative } from "./support.js";

/*
 * `aleph interfaces pair|pending|paired|unpair`: the running kernel's registry, or, without one, a
 * kernel in this process reading and writing the same file (data/channels/pairing.json) — a
 * pairing made that way is seen by the next kernel, and by a running one on the sender's next message.
 */

/** `aleph interfaces pair <code>`. */
export async function interfacesPairCommand(cmd: CommandInput): Promise<number> {
  const code = argument(cmd, "code");
  const paired = await channelsOf(cmd).pair(code);
  const who = peerLabel(paired.peer);
  cmd.out(`Paired: ${paired.channel} user ${paired.peer.id}${who === "-" ? "" : ` (${who})`} may talk to the agent now.\n`);
  return 0;
}

/** `aleph interfaces pending [--json]`. */
export async function interfacesPendingCommand(cmd: CommandInput): Promise<number> {
  const pending = await channelsOf(cmd).pending();
  if (cmd.options.json === true) {
    cmd.out(json(pending));
    return 0;
  }
  if (pending.length === 0) {
    cmd.out("No pairing codes are waiting. Whoever writes to a bot without being allowed gets one.\n");
    return 0;
  }
  const now = Date.now();
  const rows = [["CODE", "CHANNEL", "PEER", "NAME", "ASKED", "EXPIRES"]];
  for (const p of pending) rows.push([p.code, p.channel, p.peer.id, peerLabel(p.peer), relative(p.createdAt, now), relative(p.expiresAt, now)]);
  cmd.out(table(rows));
  cmd.out(`\n${plural(pending.length, "code")} waiting. Approve one with: aleph interfaces pair <code>\n`);
  return 0;
}

/** `aleph interfaces paired [--json]`. */
export async function interfacesPairedCommand(cmd: CommandInput): Promise<number> {
  const paired = await channelsOf(cmd).paired();
  if (cmd.options.json === true) {
    cmd.out(json(paired));
    return 0;
  }
  if (paired.length === 0) {
    cmd.out("Nobody is paired. (Peers in allow_from are answered without pairing.)\n");
    return 0;
  }
  const now = Date.now();
  const rows = [["CHANNEL", "PEER", "NAME", "PAIRED"]];
  for (const p of paired) rows.push([p.channel, p.peer.id, peerLabel(p.peer), relative(p.pairedAt, now)]);
  cmd.out(table(rows));
  cmd.out(`\n${plural(paired.length, "peer")} paired. Withdraw one with: aleph interfaces unpair <channel> <peer-id>\n`);
  return 0;
}

/** `aleph interfaces unpair <channel> <peer-id>`: exit 1 when they were not paired. */
export async function interfacesUnpairCommand(cmd: CommandInput): Promise<number> {
  const channel = argument(cmd, "channel");
  const peerId = argument(cmd, "peer-id");
  if (await channelsOf(cmd).unpair(channel, peerId)) {
    cmd.out(`Unpaired: ${channel} user ${peerId} is no longer answered (unless allow_from names them).\n`);
    return 0;
  }
  cmd.err(`${channel} user ${peerId} is not paired (\`aleph interfaces paired\` lists who is).\n`);
  return 1;
}
