/*
 * The Telegram plugin's working code (dist/runtime.js): the adapter, its polling loop and grammY.
 * The entry imports it only when [interfaces.telegram] is configured and enabled, so a kernel
 * without Telegram never loads grammY.
 */
import { TelegramAdapter, type TelegramAdapterOptions } from "./runtime/adapter.js";

export { TelegramAdapter, type TelegramAdapterOptions } from "./runtime/adapter.js";
export { splitMessage, TELEGRAM_MESSAGE_LIMIT } from "./runtime/split-text.js";
export { toChannelMessage, type BotIdentity } from "./runtime/inbound.js";
export { OFFSET_FILE } from "./runtime/offset-store.js";

export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  return new TelegramAdapter(options);
}
