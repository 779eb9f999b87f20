/*
 * The Discord plugin's working code (dist/runtime.js), imported by the entry only when the channel
 * starts: @discordjs/core, /ws and /rest load with it, never at kernel start.
 */
import { DiscordChannel, type DiscordChannelOptions } from "./runtime/discord-channel.js";

export { DiscordChannel, type DiscordChannelOptions } from "./runtime/discord-channel.js";
export { splitMessage, DISCORD_MESSAGE_LIMIT } from "./runtime/split-message.js";
export { mapMessage, type DiscordMessagePayload, type BotIdentity } from "./runtime/message-mapping.js";

export function createDiscordChannel(options: DiscordChannelOptions): DiscordChannel {
  return new DiscordChannel(options);
}
