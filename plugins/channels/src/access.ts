import type { ChannelMessage, ChannelRouting } from "@aleph/plugin-sdk";

/*
 * Who a channel answers by its config: `allow_from` names peers (platform ids, or "@username"
 * compared without regard to case, as platforms treat handles), `allow_groups` names groups whose
 * every member is answered. Pairing (pairing-store.ts) adds peers on top. Empty lists allow nobody.
 */

export function allowedByConfig(routing: ChannelRouting, message: ChannelMessage): boolean {
  const { peer } = message;
  const handle = peer.username ? `@${peer.username.replace(/^@/, "")}`.toLowerCase() : undefined;
  for (const raw of routing.allow_from) {
    const entry = raw.trim();
    if (entry.startsWith("@") ? handle !== undefined && entry.toLowerCase() === handle : entry === peer.id) return true;
  }
  if (message.kind === "group") {
    const group = message.groupId ?? message.chatId;
    if (routing.allow_groups.some((g) => g.trim() === group)) return true;
  }
  return false;
}
