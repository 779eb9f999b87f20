import { AlephError } from "@aleph/plugin-sdk";

/*
 * Telegram numbers messages per chat (message 7 exists in every chat), but the channels registry
 * answers each (channel, messageId) once. So a message id, inbound and in receipts, is
 * `<chat id>:<message id>` ("-1001234:57"), unique across chats, and a reply's target is parsed
 * back from it. A bare number is taken as a message of the chat being sent to.
 */

export const messageKey = (chatId: number | string, messageId: number): string => `${chatId}:${messageId}`;

export function parseMessageKey(key: string): { chatId?: string; messageId: number } | undefined {
  const match = /^(?:(-?[0-9]+|@[A-Za-z0-9_]+):)?([0-9]+)$/.exec(key);
  if (!match) return undefined;
  const messageId = Number(match[2]);
  if (!Number.isSafeInteger(messageId) || messageId <= 0) return undefined;
  return match[1] === undefined ? { messageId } : { chatId: match[1], messageId };
}

/** A chat id as the Bot API takes it: a number ("-1001234" → -1001234) or "@channelusername". */
export function chatIdParam(chatId: string): number | string {
  if (/^-?[0-9]+$/.test(chatId)) {
    const id = Number(chatId);
    if (Number.isSafeInteger(id) && id !== 0) return id;
  } else if (/^@[A-Za-z0-9_]{1,32}$/.test(chatId)) {
    return chatId;
  }
  throw new AlephError("ALEPH_E_TELEGRAM_SEND", `"${chatId}" is not a Telegram chat id`, {
    fix: 'send to a numeric chat id (a person\'s user id, a group\'s negative id) or "@channelusername"',
  });
}
