import type { Disposable } from "./disposable.js";
import { createServiceRef } from "./service-ref.js";

/*
 * The channel contract (docs/channels.md). A channel plugin (telegram, discord, a third party's)
 * adapts one messaging service: it receives and it sends, nothing else. The `channels` registry
 * (bundled plugin `channels`, one provider, like `tools`) owns what is the same for every channel:
 * who may talk (`allow_from`, `allow_groups`, pairing), when a group message is for the agent
 * (mention / reply), `/` commands, the session key and the chat each message maps to, the agent
 * turn, the reply with its receipts, and de-duplication.
 *
 * - The registry calls the adapter, never the other way round, except `deliver` (inbound).
 * - Liveness is the last *successful receive* (a poll that answered, a gateway dispatch), not
 *   "connected": a socket can be open while nothing arrives.
 * - Message ids are the platform's, as strings: the registry answers each (channel, messageId)
 *   once, durably, so a redelivered update (a resumed gateway, a poll replayed after a crash) is
 *   not answered twice.
 * - Splitting a long reply is the adapter's (it knows the limit: Telegram 4096, Discord 2000); it
 *   returns one message id per part.
 */

/** Where a message was said: a direct conversation, or a group / guild channel. */
export type ChannelChatKind = "dm" | "group";

/** Who sent an inbound message, in the platform's terms. */
export interface ChannelPeer {
  /** The platform's user id, as a string. */
  id: string;
  /** What to call them (display name, first name). */
  name?: string;
  /** @handle, without the @, when the platform has one. */
  username?: string;
  /** The sender is a bot (never answered: two bots would answer each other forever). */
  bot?: boolean;
}

/** One inbound message, as a channel hands it to the registry. */
export interface ChannelMessage {
  /** The interface name (`[interfaces.<name>]`), e.g. "telegram". */
  channel: string;
  /** The platform's chat / channel id: where the reply goes. */
  chatId: string;
  kind: ChannelChatKind;
  /**
   * For groups: the group the conversation belongs to — the session and chat are per group, and
   * `allow_groups` matches it (Discord: the guild id; Telegram: the chat id). Default: chatId.
   */
  groupId?: string;
  peer: ChannelPeer;
  text: string;
  /** The platform's message id (de-duplication, replies). */
  messageId: string;
  /** The message this one answers, and whether that one was the bot's. */
  replyTo?: { messageId: string; toBot: boolean };
  /** The bot was @mentioned (in a group, this or a reply to the bot makes the message the agent's). */
  mentionsBot: boolean;
  /** When the platform says it was sent (ms since epoch). */
  sentAt: number;
}

/** What sending produced: one platform message per part. */
export interface ChannelReceipt {
  messageIds: string[];
}

export type ChannelState = "starting" | "running" | "reconnecting" | "stopped" | "failed";

/** A channel's health, as `aleph interfaces list` and the control page show it. */
export interface ChannelStatus {
  /** The interface name. */
  name: string;
  /** The plugin that registered it. */
  plugin: string;
  state: ChannelState;
  /** Last time a receive succeeded (ms since epoch): the liveness signal. */
  lastReceiveAt?: number;
  lastSendAt?: number;
  /** Why it is failed / reconnecting. */
  error?: string;
  /** The bot's own name on the platform, once known (@handle). */
  botName?: string;
}

/** The part a channel plugin implements. */
export interface ChannelAdapter {
  /** The interface name; its config is `[interfaces.<name>]`. Must be a session channel name (lowercase letters, digits, `_`, `-`). */
  name: string;
  /**
   * Starts receiving; each message goes to `deliver`, awaited: a channel that acknowledges to its
   * platform (an update offset, a gateway sequence) does so after `deliver` resolves, so a crash in
   * between redelivers rather than loses. Resolves once receiving runs; a failure to start rejects.
   * `signal` aborts when the registry stops the channel.
   *
   * `deliver` resolves when the message is handled: ignored, or answered and recorded (a turn can
   * take minutes — deliver the messages of different chats concurrently, and a chat's next message
   * too, or `/stop` waits behind the turn it should stop). It rejects when the message should come
   * again: the channel stopped during its turn, or the reply could not be sent (at most three
   * times per message; then the registry gives up on it and resolves). Delivering a message again
   * is always safe: each (channel, messageId) is answered once.
   *
   * A start that rejects is retried with backoff (the registry calls `stop()` first), except an
   * AlephError ALEPH_E_CONFIG or ALEPH_E_PERMISSION (a wrong token): that channel stays `failed`.
   */
  start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void>;
  /**
   * Stops receiving and sending; resolves when nothing of it runs (the next poller may start).
   * May be called while `start` is still pending (its signal is aborted first), and more than once.
   */
  stop(): Promise<void>;
  /** Sends `text` to a chat (split at the platform's limit), optionally as a reply to a message. */
  send(chatId: string, text: string, options?: { replyTo?: string; signal?: AbortSignal }): Promise<ChannelReceipt>;
  /** Shows "typing…" where the platform has it (best effort, never throws). */
  typing?(chatId: string): Promise<void>;
  status(): Omit<ChannelStatus, "plugin" | "name">;
}

/** Who a channel answers and how: the routing keys every `[interfaces.<name>]` table has (channelRoutingShape). */
export interface ChannelRouting {
  /** The agent that answers (default `main`). */
  agent: string;
  /**
   * Peers answered anywhere: platform user ids or `@username`s. Empty (the default) means nobody
   * until paired: an unknown sender is given a one-time code, `aleph interfaces pair <code>` approves.
   */
  allow_from: string[];
  /** Groups (Discord guilds, Telegram group chat ids) whose members are all answered. */
  allow_groups: string[];
  /** In a group, answer only when mentioned or replied to (`mention`, the default), or every message (`all`). */
  group_trigger: "mention" | "all";
}

/** A one-time pairing code waiting for `aleph interfaces pair`. */
export interface PendingPairing {
  code: string;
  channel: string;
  peer: ChannelPeer;
  createdAt: number;
  expiresAt: number;
}

/** A peer approved by pairing. */
export interface PairedPeer {
  channel: string;
  peer: ChannelPeer;
  pairedAt: number;
}

/** The `channels` registry (one provider, the bundled `channels` plugin). */
export interface ChannelsService {
  /**
   * Registers a channel on behalf of `plugin` with its routing, and starts it (a failure to start
   * shows in its status, with retries; it never throws here). Disposing stops it and waits until
   * it has stopped. A second channel of the same name is refused.
   */
  register(adapter: ChannelAdapter, options: { plugin: string; routing: ChannelRouting }): Disposable & { stopped(): Promise<void> };
  list(): ChannelStatus[];
  /** Sends through a channel (a cron job's result, an agent's message to a chat). */
  send(channel: string, chatId: string, text: string): Promise<ChannelReceipt>;
  /** Approves a pending pairing code: its sender may talk from now on (persisted). */
  pair(code: string): Promise<PairedPeer>;
  pending(): PendingPairing[];
  paired(): PairedPeer[];
  /** Withdraws a pairing; true when there was one. */
  unpair(channel: string, peerId: string): Promise<boolean>;
}

export const channelsRef = createServiceRef<ChannelsService>("channels");

/**
 * An adapter's `status()` from what it tracks, with the fields it has no value for left out (so
 * `interfaces list --json` and the control page never show `undefined`s).
 */
export function channelStatusOf(fields: { state: ChannelState; lastReceiveAt?: number | undefined; lastSendAt?: number | undefined; error?: string | undefined; botName?: string | undefined }): Omit<ChannelStatus, "plugin" | "name"> {
  const status: Omit<ChannelStatus, "plugin" | "name"> = { state: fields.state };
  if (fields.lastReceiveAt !== undefined) status.lastReceiveAt = fields.lastReceiveAt;
  if (fields.lastSendAt !== undefined) status.lastSendAt = fields.lastSendAt;
  if (fields.error !== undefined) status.error = fields.error;
  if (fields.botName !== undefined) status.botName = fields.botName;
  return status;
}
