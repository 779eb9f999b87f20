import { formatSessionKey, parseSessionKey, RESERVED_SESSION_CHANNELS, SESSION_CHANNEL_PATTERN } from "./session-key.js";
import { AlephError } from "./errors.js";
import type { ChannelChatKind } from "./channels.js";

/*
 * Where a conversation lives: its session key (sessions.db) and its chat id (the chat source of
 * truth, chat/chats/<chatId>.jsonl). One mapping for every channel, the gateway and cron, so a
 * conversation reached two ways lands in the same session and the same chat.
 */

const CHAT_ID_MAX = 128;

/**
 * Encodes one free-text part for a chat id: letters, digits and "-" stay; every other character
 * becomes "_" and its UTF-8 bytes in hex ("_2e" for "."), so "..", "/" and the like never survive
 * and two different parts never encode alike.
 */
export function encodeChatIdPart(part: string): string {
  let out = "";
  for (const ch of part) {
    if (/^[A-Za-z0-9-]$/.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** Keeps an over-long chat id within the chat id rules, still unique (a hash of the whole replaces the tail). */
function fitChatId(id: string): string {
  if (id.length <= CHAT_ID_MAX) return id;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  let hash2 = 0x01000193;
  for (let i = id.length - 1; i >= 0; i--) hash2 = Math.imul(hash2 ^ id.charCodeAt(i), 0x811c9dc5) >>> 0;
  return `${id.slice(0, CHAT_ID_MAX - 18)}-${hash.toString(16).padStart(8, "0")}${hash2.toString(16).padStart(8, "0")}`.slice(0, CHAT_ID_MAX);
}

/** Throws unless `channel` can name a channel in session keys (lowercase letters, digits, `_`, `-`; not main or cron). */
export function checkChannelName(channel: string): string {
  if (!SESSION_CHANNEL_PATTERN.test(channel) || RESERVED_SESSION_CHANNELS.includes(channel)) {
    throw new AlephError("ALEPH_E_CONFIG", `"${channel}" cannot name a channel`, {
      fix: `use lowercase letters, digits, "_" or "-" (at most 64), other than ${RESERVED_SESSION_CHANNELS.join(" and ")}`,
    });
  }
  return channel;
}

/** `agent:<agentId>:<channel>:dm:<peer>` or `agent:<agentId>:<channel>:group:<groupId>`. */
export function channelSessionKey(agentId: string, channel: string, kind: ChannelChatKind, id: string): string {
  checkChannelName(channel);
  return kind === "dm" ? formatSessionKey({ kind: "dm", agentId, channel, peer: id }) : formatSessionKey({ kind: "group", agentId, channel, groupId: id });
}

/** `<channel>-dm-<peer>` or `<channel>-group-<groupId>`, encoded to the chat id rules. */
export function channelChatId(channel: string, kind: ChannelChatKind, id: string): string {
  checkChannelName(channel);
  return fitChatId(`${channel}-${kind}-${encodeChatIdPart(id)}`);
}

/**
 * The chat a session's conversation is kept in: a channel session's own chat
 * (`<channel>-dm-<peer>`, `<channel>-group-<id>`), `main-<agentId>` for an agent's main session,
 * `cron-<job>` for a scheduled job; none for
 * a sub-agent (its messages are its parent's business). Throws ALEPH_E_SESSION_KEY for a bad key.
 */
export function chatIdForSessionKey(sessionKey: string): string | undefined {
  const key = parseSessionKey(sessionKey);
  switch (key.kind) {
    case "main":
      return fitChatId(`main-${encodeChatIdPart(key.agentId)}`);
    case "dm":
      return channelChatId(key.channel, "dm", key.peer);
    case "group":
      return channelChatId(key.channel, "group", key.groupId);
    case "cron":
      return fitChatId(`cron-${encodeChatIdPart(key.job)}`);
    case "subagent":
      return undefined;
  }
}
