import type { ChannelMessage } from "@aleph/plugin-sdk";
import type { Message, MessageEntity, Update } from "grammy/types";
import { messageKey } from "./message-keys.js";

/*
 * A Telegram update as the channels registry takes it (a ChannelMessage), or why it is not one.
 *
 * - A private chat is a dm with its user (the chat id is the user id); a group or supergroup is a
 *   group whose id is the chat id. Channels (broadcast) and updates other than a new `message`
 *   are not conversations with the agent.
 * - The text is the message's text, or a media message's caption; a message with neither (a
 *   sticker, a photo without caption, a member joining) is not for the agent.
 * - mentionsBot: an @mention of the bot, a text_mention of it (a user without a username picked
 *   from the list), or a leading command addressed to it (`/new@this_bot`). The text is left as
 *   written: the registry reads `/word@bot` commands (and drops another bot's) for every channel.
 * - Entity offsets are UTF-16 units, as JavaScript strings count.
 */

export interface BotIdentity {
  id: number;
  /** Without the @. */
  username: string;
}

export type Inbound = { message: ChannelMessage; threadId?: number } | { ignored: string };

export function toChannelMessage(update: Update, bot: BotIdentity, channel: string): Inbound {
  const message = update.message;
  if (!message) return { ignored: `a ${updateType(update)} update` };
  const chat = message.chat;
  const chatType: string = chat.type;
  if (chatType !== "private" && chatType !== "group" && chatType !== "supergroup") return { ignored: `a message in a ${chatType}` };
  const from = message.from;
  if (!from) return { ignored: "a message without a sender" };
  const raw = message.text ?? message.caption;
  if (raw === undefined) return { ignored: `a message without text (${contentKind(message)})` };
  const entities = message.entities ?? message.caption_entities ?? [];

  const commandTarget = leadingCommandTarget(raw, entities);

  const chatId = String(chat.id);
  const name = [from.first_name, from.last_name].filter(Boolean).join(" ");
  const reply = message.reply_to_message;
  const result: ChannelMessage = {
    channel,
    chatId,
    kind: chat.type === "private" ? "dm" : "group",
    ...(chat.type === "private" ? {} : { groupId: chatId }),
    peer: { id: String(from.id), ...(name ? { name } : {}), ...(from.username ? { username: from.username } : {}), ...(from.is_bot ? { bot: true } : {}) },
    text: raw,
    messageId: messageKey(chat.id, message.message_id),
    ...(reply ? { replyTo: { messageId: messageKey(chat.id, reply.message_id), toBot: reply.from?.id === bot.id } } : {}),
    mentionsBot: mentions(raw, entities, bot) || commandTarget?.toLowerCase() === bot.username.toLowerCase(),
    sentAt: message.date * 1000,
  };
  return message.is_topic_message && message.message_thread_id !== undefined ? { message: result, threadId: message.message_thread_id } : { message: result };
}

function mentions(text: string, entities: readonly MessageEntity[], bot: BotIdentity): boolean {
  const handle = `@${bot.username}`.toLowerCase();
  return entities.some(
    (entity) =>
      (entity.type === "mention" && text.slice(entity.offset, entity.offset + entity.length).toLowerCase() === handle) ||
      (entity.type === "text_mention" && entity.user.id === bot.id),
  );
}

/** The bot a leading bot_command names after "@" (`/new@this_bot`), if it names one. */
function leadingCommandTarget(text: string, entities: readonly MessageEntity[]): string | undefined {
  const entity = entities.find((candidate) => candidate.type === "bot_command" && candidate.offset === 0);
  if (!entity) return undefined;
  const command = text.slice(0, entity.length);
  const at = command.indexOf("@");
  return at === -1 ? undefined : command.slice(at + 1);
}

function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "empty";
}

const CONTENT_KINDS = ["sticker", "photo", "video", "voice", "audio", "document", "animation", "video_note", "location", "contact", "poll", "dice", "new_chat_members", "left_chat_member", "pinned_message"] as const;

function contentKind(message: Message): string {
  return CONTENT_KINDS.find((kind) => (message as unknown as Record<string, unknown>)[kind] !== undefined) ?? "no text";
}
