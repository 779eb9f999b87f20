import { importSibling, type ChannelAdapter, type ChannelMessage, type ChannelReceipt, type ChannelStatus } from "@aleph/plugin-sdk";
import type { DiscordChannel, DiscordChannelOptions } from "./runtime/discord-channel.js";

/*
 * The adapter the entry registers: it stands in for the real one (runtime.ts), which it imports
 * when the registry first starts the channel (or sends through it). Registering costs nothing,
 * and @discordjs/* load only on a kernel where Discord is configured.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export class LazyDiscordChannel implements ChannelAdapter {
  readonly name = "discord";
  #channel: Promise<DiscordChannel> | undefined;
  #loaded: DiscordChannel | undefined;

  constructor(private readonly options: DiscordChannelOptions) {}

  #load(): Promise<DiscordChannel> {
    this.#channel ??= runtimeModule().then((runtime) => (this.#loaded = runtime.createDiscordChannel(this.options)));
    return this.#channel;
  }

  async start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
    await (await this.#load()).start(deliver, signal);
  }

  async stop(): Promise<void> {
    const channel = await this.#channel?.catch(() => undefined);
    await channel?.stop();
  }

  async send(chatId: string, text: string, options?: { replyTo?: string; signal?: AbortSignal }): Promise<ChannelReceipt> {
    return (await this.#load()).send(chatId, text, options);
  }

  async typing(chatId: string): Promise<void> {
    const channel = await this.#load().catch(() => undefined);
    await channel?.typing(chatId);
  }

  status(): Omit<ChannelStatus, "plugin" | "name"> {
    return this.#loaded?.status() ?? { state: this.#channel ? "starting" : "stopped" };
  }
}
