import type { ChannelAdapter, ChannelRouting } from "@aleph/plugin-sdk";

/** A registered channel as the message pipeline sees it (registration.ts implements it). */
export interface ChannelHandle {
  readonly name: string;
  readonly plugin: string;
  readonly routing: ChannelRouting;
  readonly adapter: ChannelAdapter;
  /** Aborted when the channel stops (its registration is disposed, the registry unloads). */
  readonly signal: AbortSignal;
  /** The bot's own handle on the platform, once the adapter knows it. */
  botName(): string | undefined;
  noteReceive(): void;
  noteSend(): void;
}
