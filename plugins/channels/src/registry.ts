import {
  AlephError,
  checkChannelName,
  compareStrings,
  explainInvalidId,
  type ChannelAdapter,
  type ChannelReceipt,
  type ChannelRouting,
  type ChannelsService,
  type ChannelStatus,
  type Disposable,
  type Logger,
  type PairedPeer,
  type PendingPairing,
  type PluginEvents,
} from "@aleph/plugin-sdk";
import type { Inbound } from "./inbound.js";
import type { PairingStore } from "./pairing-store.js";
import { Registration } from "./registration.js";
import { PAIRED_NOTICE } from "./replies.js";

/*
 * The `channels` service: the channels plugins register, their status, sending on behalf of other
 * plugins, and pairing. Messages go through Inbound (inbound.ts); each channel's life through
 * Registration (registration.ts).
 */

/** How often a running channel's own status is looked at for a change to announce (`channel.status`). */
const STATUS_POLL_MS = 5000;

export interface RegistryDeps {
  log: Logger;
  emit: PluginEvents["emit"];
  redact(text: string): string;
  inbound: Inbound;
  pairing: PairingStore;
}

export class ChannelRegistry {
  readonly #active = new Map<string, Registration>();
  /** Channels disposed whose adapter is still stopping, by name: a new one of that name starts after. */
  readonly #stopping = new Map<string, Promise<void>>();
  /** The last status announced per channel (state, error, bot name), to announce changes only. */
  readonly #announced = new Map<Registration, string>();
  #poll: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly deps: RegistryDeps) {}

  readonly service: ChannelsService = {
    register: (adapter, options) => this.register(adapter, options),
    list: () => this.list(),
    send: (channel, chatId, text) => this.send(channel, chatId, text),
    pair: (code) => this.pair(code),
    pending: () => this.pending(),
    paired: () => this.paired(),
    unpair: (channel, peerId) => this.unpair(channel, peerId),
  };

  register(adapter: ChannelAdapter, options: { plugin: string; routing: ChannelRouting }): Disposable & { stopped(): Promise<void> } {
    if (this.#closed) throw new AlephError("ALEPH_E_SERVICE", "the channels registry is unloading", { fix: "register again once it is back (plugins that require channels are reloaded with it)" });
    checkAdapter(adapter);
    checkChannelName(adapter.name);
    const plugin = typeof options?.plugin === "string" && options.plugin ? options.plugin : "unknown";
    const routing = routingOf(adapter.name, options?.routing);
    const existing = this.#active.get(adapter.name);
    if (existing) {
      throw new AlephError("ALEPH_E_DUPLICATE", `channel "${adapter.name}" is registered already (by plugin ${existing.plugin})`, {
        fix: "give one of them another interface name: each [interfaces.<name>] is one channel",
      });
    }
    const registration = new Registration(adapter, plugin, routing, {
      log: this.deps.log,
      redact: this.deps.redact,
      deliver: (channel, message) => this.deps.inbound.deliver(channel, message),
      changed: (r) => this.#announce(r),
      released: (r) => this.#release(r),
    });
    this.#active.set(adapter.name, registration);
    this.deps.log.info("channel registered", { channel: adapter.name, plugin, agent: routing.agent, allowFrom: routing.allow_from.length, allowGroups: routing.allow_groups.length, groupTrigger: routing.group_trigger });
    registration.begin(this.#stopping.get(adapter.name) ?? Promise.resolve());
    this.#pollStatus();
    return { dispose: () => registration.dispose(), stopped: () => registration.stopped() };
  }

  list(): ChannelStatus[] {
    return [...this.#active.values()].map((r) => r.status()).sort((a, b) => compareStrings(a.name, b.name));
  }

  async send(channel: string, chatId: string, text: string): Promise<ChannelReceipt> {
    const registration = this.#active.get(channel);
    if (!registration) {
      throw new AlephError("ALEPH_E_NOT_FOUND", `no channel "${channel}"`, { fix: "`aleph interfaces list` shows the channels running; configure one in [interfaces.<name>]" });
    }
    if (typeof chatId !== "string" || !chatId) throw new AlephError("ALEPH_E_USAGE", "chatId must be the platform's chat id, a non-empty string", { fix: "pass the chat id the channel reported (message.received's chatId)" });
    if (typeof text !== "string" || !text.trim()) throw new AlephError("ALEPH_E_USAGE", "the text to send is empty", { fix: "pass the message text" });
    const status = registration.status();
    if (status.state !== "running") {
      throw new AlephError("ALEPH_E_CHANNEL_DOWN", `channel "${channel}" is ${status.state}${status.error ? `: ${status.error}` : ""}`, {
        fix: "`aleph interfaces list` shows why; sending works again once it is running",
      });
    }
    const receipt = await registration.adapter.send(chatId, text, { signal: registration.signal });
    registration.noteSend();
    const messageIds = Array.isArray(receipt?.messageIds) ? receipt.messageIds.map(String) : [];
    this.deps.log.info("message sent", { channel, chatId, parts: messageIds.length, chars: text.length });
    await this.deps.emit("message.sent", { channel, chatId, messageIds });
    return { messageIds };
  }

  async pair(code: string): Promise<PairedPeer> {
    const pairing = await this.deps.pairing.pair(code, Date.now());
    const { channel, peer, pairedAt } = pairing;
    this.deps.log.info("peer paired", { channel, peerId: peer.id });
    await this.deps.emit("channel.paired", { channel, peer });
    // Tell them, when their channel runs here (a pairing made without a running kernel tells nobody).
    const registration = this.#active.get(channel);
    if (registration?.state === "running") {
      await registration.adapter
        .send(pairing.chatId, PAIRED_NOTICE, { signal: registration.signal })
        .then(() => registration.noteSend())
        .catch((error: unknown) => this.deps.log.warn("could not tell the paired peer", { channel, peerId: peer.id, error }));
    }
    return { channel, peer, pairedAt };
  }

  pending(): PendingPairing[] {
    return this.deps.pairing.pending(Date.now());
  }

  paired(): PairedPeer[] {
    return this.deps.pairing.paired();
  }

  async unpair(channel: string, peerId: string): Promise<boolean> {
    const removed = await this.deps.pairing.unpair(String(channel), String(peerId));
    if (removed) this.deps.log.info("peer unpaired", { channel, peerId });
    return removed;
  }

  /** Stops every channel (the plugin unloads) and waits until each has. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    const active = [...this.#active.values()];
    for (const registration of active) registration.dispose();
    await Promise.all([...active.map((r) => r.stopped()), ...this.#stopping.values()]);
  }

  #release(registration: Registration): void {
    if (this.#active.get(registration.name) === registration) this.#active.delete(registration.name);
    const stopped = registration.stopped();
    this.#stopping.set(registration.name, stopped);
    void stopped.then(() => {
      if (this.#stopping.get(registration.name) === stopped) this.#stopping.delete(registration.name);
      this.#announced.delete(registration);
    });
  }

  #announce(registration: Registration): void {
    const status = registration.status();
    const key = `${status.state}\u0000${status.error ?? ""}\u0000${status.botName ?? ""}`;
    if (this.#announced.get(registration) === key) return;
    this.#announced.set(registration, key);
    void this.deps.emit("channel.status", status);
  }

  /** Adapters change state on their own (a dropped connection): looked at every few seconds. */
  #pollStatus(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => {
      for (const registration of this.#active.values()) this.#announce(registration);
    }, STATUS_POLL_MS);
    this.#poll.unref?.();
  }
}

function checkAdapter(adapter: ChannelAdapter): void {
  const missing = ["start", "stop", "send", "status"].filter((m) => typeof (adapter as unknown as Record<string, unknown>)?.[m] !== "function");
  if (typeof adapter !== "object" || adapter === null || typeof adapter.name !== "string" || missing.length > 0) {
    throw new AlephError("ALEPH_E_USAGE", `a channel adapter needs a name and the methods start, stop, send and status${missing.length ? ` (missing: ${missing.join(", ")})` : ""}`, {
      fix: "implement ChannelAdapter from @aleph/plugin-sdk (docs/channels.md)",
    });
  }
}

/** The routing keys as the channel's schema parsed them (channelRoutingShape), defaults filled for a hand-made object. */
function routingOf(channel: string, routing: Partial<ChannelRouting> | undefined): ChannelRouting {
  const agent = routing?.agent ?? "main";
  const problem = explainInvalidId("agent id", agent);
  if (problem) throw new AlephError("ALEPH_E_CONFIG", `[interfaces.${channel}] agent: ${problem}`, { fix: "name an agent: letters, digits, \".\", \"_\" or \"-\" (default main)" });
  const list = (value: unknown, key: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new AlephError("ALEPH_E_CONFIG", `[interfaces.${channel}] ${key} must be a list of strings`, { fix: `e.g. ${key} = ["12345", "@someone"]` });
    }
    return value;
  };
  const trigger = routing?.group_trigger ?? "mention";
  if (trigger !== "mention" && trigger !== "all") throw new AlephError("ALEPH_E_CONFIG", `[interfaces.${channel}] group_trigger must be "mention" or "all"`, { fix: 'use group_trigger = "mention" (the default) or "all"' });
  return { agent, allow_from: list(routing?.allow_from, "allow_from"), allow_groups: list(routing?.allow_groups, "allow_groups"), group_trigger: trigger };
}
