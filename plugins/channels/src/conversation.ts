import { channelChatId, channelSessionKey, type ChannelMessage } from "@aleph/plugin-sdk";
import type { ChannelHandle } from "./channel-handle.js";

/** Where a message's conversation lives: the answering agent, its session, its chat (source of truth). */
export interface Conversation {
  agentId: string;
  sessionKey: string;
  /** The chat source of truth's id (`<channel>-dm-<peer>`), not the platform's chat. */
  chatId: string;
}

/** A DM is the peer's conversation (wherever they write from); a group's is the group's (groupId, else the chat). */
export function conversationOf(channel: ChannelHandle, message: ChannelMessage): Conversation {
  const scope = message.kind === "dm" ? message.peer.id : (message.groupId ?? message.chatId);
  const agentId = channel.routing.agent;
  return { agentId, sessionKey: channelSessionKey(agentId, channel.name, message.kind, scope), chatId: channelChatId(channel.name, message.kind, scope) };
}

/** Why a message from an adapter cannot be handled (its author's bug), or undefined. */
export function malformed(message: ChannelMessage): string | undefined {
  const nonEmpty = (value: unknown) => typeof value === "string" && value.length > 0;
  if (typeof message !== "object" || message === null) return "the message is not an object";
  if (!nonEmpty(message.messageId)) return "messageId must be a non-empty string";
  if (!nonEmpty(message.chatId)) return "chatId must be a non-empty string";
  if (message.kind !== "dm" && message.kind !== "group") return 'kind must be "dm" or "group"';
  if (typeof message.peer !== "object" || message.peer === null || !nonEmpty(message.peer.id)) return "peer.id must be a non-empty string";
  if (typeof message.text !== "string") return "text must be a string";
  if (message.groupId !== undefined && !nonEmpty(message.groupId)) return "groupId, when given, must be a non-empty string";
  return undefined;
}
