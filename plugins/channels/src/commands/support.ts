import { channelsRef, CommandUsageError, type ChannelsService, type CommandInput, type PairedPeer, type ServiceCaller } from "@aleph/plugin-sdk/core";

type ChannelPeer = PairedPeer["peer"];

/* What the `aleph interfaces …` handlers share. */

export function channelsOf(cmd: CommandInput): ServiceCaller<ChannelsService> {
  return cmd.kernel.service(channelsRef);
}

/** A positional argument that must be there. */
export function argument(cmd: CommandInput, name: string): string {
  const value = cmd.args[name];
  const text = (Array.isArray(value) ? value.join(" ") : (value ?? "")).trim();
  if (!text) throw new CommandUsageError(`give the ${name}`);
  return text;
}

/** One table cell: control characters out, long text cut. */
export function cell(text: string | undefined, max = 60): string {
  if (!text) return "-";
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || "-";
}

/** "Alice (@alice)", or the id alone. */
export function peerLabel(peer: ChannelPeer): string {
  const parts = [peer.name, peer.username ? `@${peer.username}` : undefined].filter(Boolean);
  return parts.length ? cell(parts.join(" "), 40) : "-";
}

/** "3m ago", "in 42m", "-" for no time. */
export function relative(at: number | undefined, now: number): string {
  if (at === undefined) return "-";
  const ms = at - now;
  const abs = Math.abs(ms);
  const text = abs < 60_000 ? `${Math.round(abs / 1000)}s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)}m` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)}h` : `${Math.round(abs / 86_400_000)}d`;
  return ms <= 0 ? `${text} ago` : `in ${text}`;
}
