import { formatSessionKey, parseSessionKey, RESERVED_SESSION_CHANNELS, SESSION_CHANNEL_PATTERN } from "./session-key.js";
import { AlephError } from "./errors.js";
import type { ChannelChatKind } from "./channels.js";

/*
 * Where a conversation lives: its session key (sessions.db) and its chat id (the chat source of
 * truth, chat/chats/<chatId>.jsonl). One mapping for every channel, the gateway and cron, so a
 * conversation reached two ways lands in the same session and the same chat.
 *
 * Chat ids are one-to-one with what they name: the free-text part (peer, group, agent, job) is
 * encoded with no "-" left in it, so the last "-" of an id always starts that part, and a channel
 * named "tg-dm" can never produce the id of channel "tg"'s peer "dm-…" (channel names keep "-").
 */

const CHAT_ID_MAX = 128;

/**
 * Encodes one free-text part for a chat id: letters and digits stay; every other character
 * becomes "_" and its UTF-8 bytes in hex ("_2e" for ".", "_2d" for "-"), so "..", "/" and the like
 * never survive, two different parts never encode alike, and no "-" is left to blur where the
 * part begins. Telegram's group "-100123" is "_2d100123".
 */
export function encodeChatIdPart(part: string): string {
  let out = "";
  for (const ch of part) {
    if (/^[A-Za-z0-9]$/.test(ch)) out += ch;
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

/**
 * Throws unless `channel` can name a channel: a session key channel (lowercase letters, digits,
 * `_`, `-`, at most 64; not main or cron) that starts with a letter or digit, as the chat id it
 * begins must.
 */
export function checkChannelName(channel: string): string {
  if (typeof channel !== "string" || !SESSION_CHANNEL_PATTERN.test(channel) || !/^[a-z0-9]/.test(channel) || RESERVED_SESSION_CHANNELS.includes(channel)) {
    throw new AlephError("ALEPH_E_CONFIG", `${JSON.stringify(channel)} cannot name a channel`, {
      fix: `use lowercase letters, digits, "_" or "-" (at most 64, starting with a letter or digit), other than ${RESERVED_SESSION_CHANNELS.join(" and ")}`,
    });
  }
  return channel;
}

function checkKind(kind: ChannelChatKind): ChannelChatKind {
  if (kind !== "dm" && kind !== "group") {
    throw new AlephError("ALEPH_E_INVALID_ID", `conversation kind ${JSON.stringify(kind)} is unknown`, { fix: 'use "dm" (a direct conversation) or "group"' });
  }
  return kind;
}

function checkConversationPart(id: string): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new AlephError("ALEPH_E_INVALID_ID", "a conversation's peer or group id is empty", { fix: "pass the platform's user id (dm) or group id (group), as a non-empty string" });
  }
  return id;
}

/** `agent:<agentId>:<channel>:dm:<peer>` or `agent:<agentId>:<channel>:group:<groupId>`. */
export function channelSessionKey(agentId: string, channel: string, kind: ChannelChatKind, id: string): string {
  checkChannelName(channel);
  checkKind(kind);
  return kind === "dm" ? formatSessionKey({ kind: "dm", agentId, channel, peer: id }) : formatSessionKey({ kind: "group", agentId, channel, groupId: id });
}

/** `<channel>-dm-<peer>` or `<channel>-group-<groupId>`, encoded to the chat id rules. */
export function channelChatId(channel: string, kind: ChannelChatKind, id: string): string {
  checkChannelName(channel);
  checkKind(kind);
  checkConversationPart(id);
  return fitChatId(`${channel}-${kind}-${encodeChatIdPart(id)}`);
}

/**
 * A sender as the chat source of truth records it. Chat senders are safe ids (letters, digits,
 * ".", "_", "-"), so the `kind:id` form conversations name senders by (`user:42`, `agent:main`,
 * `cron:daily`) is written with "." for ":" and each part encoded (encodeChatIdPart): `user.42`,
 * `agent.main`, `cron.daily_2ddigest`. One-to-one, like chat ids. Used by conversationTurn (not
 * exported from the SDK's entry: what a chat holds is its business).
 */
export function chatSenderId(from: string): string {
  const parts = String(from)
    .split(":")
    .map((part) => encodeChatIdPart(part) || "_");
  const id = parts.join(".");
  // A safe id starts with a letter or digit: only an odd sender (":x", "-x") needs the prefix.
  return fitChatId(/^[A-Za-z0-9]/.test(id) ? id : `x${id}`);
}

/**
 * The chat a session's conversation is kept in: a channel session's own chat
 * (`<channel>-dm-<peer>`, `<channel>-group-<id>`), `main-<agentId>` for an agent's main session,
 * `cron-<job>` for a scheduled job; none for a sub-agent (its messages are its parent's business).
 * Throws ALEPH_E_SESSION_KEY for a bad key, ALEPH_E_CONFIG for a channel that cannot name a chat.
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
