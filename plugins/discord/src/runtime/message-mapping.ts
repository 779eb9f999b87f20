import type { ChannelMessage } from "@aleph/plugin-sdk";

/*
 * A MESSAGE_CREATE dispatch as the channels registry wants it (ChannelMessage). Only what a person
 * wrote is the agent's: the bot's own messages (Discord sends a bot what it posts) and every other
 * bot's or webhook's are dropped — two bots answering each other would never stop — and so are
 * system messages (joins, pins, boosts).
 *
 * - A DM (no guild_id): kind "dm", the peer is the author, chatId the DM channel (where replies go).
 * - A guild channel or thread: kind "group", groupId the guild (its session and `allow_groups`
 *   key), chatId the channel.
 * - mentionsBot: the bot is in `mentions` (an @mention, or a reply that pings it).
 * - replyTo: `message_reference` of a reply (not of a forward); toBot when the referenced message
 *   (`referenced_message`) is the bot's.
 * - text: the content without the leading @mention of the bot; other user mentions read as
 *   @name; attachments listed after it, one line each, with their URL.
 */

/** The fields of a Discord message object this mapping reads (GatewayMessageCreateDispatchData has them all). */
export interface DiscordMessagePayload {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: { id: string; username: string; global_name?: string | null; bot?: boolean };
  member?: { nick?: string | null };
  content: string;
  timestamp: string;
  type: number;
  webhook_id?: string;
  mentions: { id: string; username: string; global_name?: string | null }[];
  attachments?: { filename: string; url: string; size: number; content_type?: string }[];
  message_reference?: { type?: number; message_id?: string };
  referenced_message?: { author: { id: string } } | null;
}

/** The bot as READY or GET /users/@me names it. */
export interface BotIdentity {
  id: string;
  username: string;
}

export type MappedMessage = { message: ChannelMessage } | { ignored: string };

/** MessageType.Default and MessageType.Reply: what people write. Every other type is the system's. */
const PERSON_MESSAGE_TYPES = new Set([0, 19]);
/** MessageReferenceType.Default (a reply); 1 is a forward, which answers nothing. */
const REPLY_REFERENCE = 0;

export function mapMessage(data: DiscordMessagePayload, bot: BotIdentity, channel: string): MappedMessage {
  if (data.author.id === bot.id) return { ignored: "the bot's own message" };
  if (data.author.bot) return { ignored: "another bot's message" };
  if (data.webhook_id !== undefined) return { ignored: "a webhook's message" };
  if (!PERSON_MESSAGE_TYPES.has(data.type)) return { ignored: `a system message (type ${data.type})` };

  const text = [readableText(data, bot), ...attachmentLines(data)].filter((line) => line.length > 0).join("\n");
  if (text.length === 0) return { ignored: "no text and no attachment (a sticker or embed alone, or content withheld without the Message Content intent)" };

  const reference = data.message_reference;
  const isReply = reference?.message_id !== undefined && (reference.type ?? REPLY_REFERENCE) === REPLY_REFERENCE;
  const sentAt = Date.parse(data.timestamp);
  const author = data.author;
  const message: ChannelMessage = {
    channel,
    chatId: data.channel_id,
    kind: data.guild_id === undefined ? "dm" : "group",
    ...(data.guild_id !== undefined ? { groupId: data.guild_id } : {}),
    peer: { id: author.id, name: data.member?.nick || author.global_name || author.username, username: author.username },
    text,
    messageId: data.id,
    ...(isReply ? { replyTo: { messageId: reference.message_id!, toBot: data.referenced_message?.author.id === bot.id } } : {}),
    mentionsBot: data.mentions.some((user) => user.id === bot.id),
    sentAt: Number.isFinite(sentAt) ? sentAt : Date.now(),
  };
  return { message };
}

/** The content without the leading bot mention, with `<@id>` mentions of known users as `@name`. */
function readableText(data: DiscordMessagePayload, bot: BotIdentity): string {
  const leading = new RegExp(`^\\s*<@!?${bot.id}>[\\s,:]*`);
  const names = new Map(data.mentions.map((user) => [user.id, user.username]));
  names.set(bot.id, bot.username);
  return data.content
    .replace(leading, "")
    .replace(/<@!?(\d{17,20})>/g, (whole, id: string) => {
      const name = names.get(id);
      return name === undefined ? whole : `@${name}`;
    })
    .trim();
}

function attachmentLines(data: DiscordMessagePayload): string[] {
  return (data.attachments ?? []).map((file) => `[attachment: ${file.filename} (${file.content_type ?? "unknown type"}, ${file.size} bytes) ${file.url}]`);
}
