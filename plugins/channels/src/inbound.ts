import {
  AlephError,
  conversationTurn,
  errorMessage,
  isAlephError,
  type AgentService,
  type AgentTurnEvent,
  type ChannelMessage,
  type ChatService,
  type Logger,
  type PluginEvents,
  type SessionsService,
  type SkillsService,
} from "@aleph/plugin-sdk";
import { allowedByConfig } from "./access.js";
import { addressedToBot, parseSlash, slashIsOurs, withoutMention, type SlashCommand } from "./addressing.js";
import type { ChannelHandle } from "./channel-handle.js";
import { ConversationQueue } from "./conversation-queue.js";
import { conversationOf, malformed, type Conversation } from "./conversation.js";
import type { HandledLedger } from "./handled-ledger.js";
import type { PairingStore } from "./pairing-store.js";
import { apology, helpText, pairingNotice, unknownCommand } from "./replies.js";

/*
 * One inbound message, from `deliver` to the reply: bot senders out, de-duplication, the group
 * trigger, who may talk (allow-lists, pairing), `/` commands, the agent turn, the reply, and the
 * record that it was answered. `deliver` resolves when all of that is done, so an adapter that
 * acknowledges after it never loses a message and never has one answered twice.
 *
 * It rejects only when the message should come again: the channel stopped during its turn (the
 * agent resumes the turn when it is redelivered), or the reply could not be sent — at most
 * MAX_ATTEMPTS times per message, then the registry gives up on it, says so in the log and
 * resolves (a chat that refuses the bot for good must not block a channel).
 */

const MAX_ATTEMPTS = 3;
/** Platforms show "typing…" for a few seconds (Telegram: 5): renewed at this pace while a turn runs. */
const TYPING_EVERY_MS = 4000;

export interface InboundDeps {
  log: Logger;
  emit: PluginEvents["emit"];
  agent(): AgentService;
  chat(): ChatService | undefined;
  sessions(): SessionsService | undefined;
  skills(): SkillsService | undefined;
  ledger: HandledLedger;
  pairing: PairingStore;
}

/** The channel stopped while the message was being answered: not answered, to be delivered again. */
class Interrupted extends AlephError {
  constructor(channel: string) {
    super("ALEPH_E_CANCELLED", `channel "${channel}" stopped before the message was answered`, { fix: "nothing to do: it is answered when the channel delivers it again" });
  }
}

type Outcome = "answered" | "ignored";

export class Inbound {
  readonly #queue = new ConversationQueue();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #attempts = new Map<string, number>();
  /** `/model` choices, per session key (kept until the kernel stops). */
  readonly #models = new Map<string, string>();

  constructor(private readonly deps: InboundDeps) {}

  deliver(channel: ChannelHandle, message: ChannelMessage): Promise<void> {
    if (channel.signal.aborted) return Promise.reject(new Interrupted(channel.name));
    const { log } = this.deps;
    const problem = malformed(message);
    if (problem) {
      // Redelivering it would not help: dropped, and the adapter's author told why.
      log.warn("message dropped: the channel delivered a malformed message", { channel: channel.name, problem });
      return Promise.resolve();
    }
    channel.noteReceive();
    const ids = { channel: channel.name, chatId: message.chatId, messageId: message.messageId, peerId: message.peer.id };
    if (message.peer.bot) {
      log.debug("message from a bot ignored", ids);
      return Promise.resolve();
    }
    if (this.deps.ledger.has(channel.name, message.messageId)) {
      log.debug("message already answered; ignored", ids);
      return Promise.resolve();
    }
    // The same message delivered again while it is being answered (a resume replaying it) waits for that answer.
    const key = `${channel.name}\u0000${message.messageId}`;
    const running = this.#inFlight.get(key);
    if (running) return running;
    const handling = this.#handle(channel, message, key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, handling);
    return handling;
  }

  async #handle(channel: ChannelHandle, message: ChannelMessage, key: string): Promise<void> {
    const { log } = this.deps;
    const ids = { channel: channel.name, chatId: message.chatId, messageId: message.messageId };
    try {
      if ((await this.#route(channel, message)) === "answered") await this.#record(channel, message);
      this.#attempts.delete(key);
    } catch (error) {
      if (error instanceof Interrupted) {
        log.info("message not answered: the channel stopped; it is answered when delivered again", ids);
        throw error;
      }
      const attempt = (this.#attempts.get(key) ?? 0) + 1;
      if (attempt < MAX_ATTEMPTS) {
        this.#attempts.set(key, attempt);
        if (this.#attempts.size > 1000) this.#attempts.delete(this.#attempts.keys().next().value!);
        log.warn("message not answered; the channel may deliver it again", { ...ids, attempt, error });
        throw error;
      }
      this.#attempts.delete(key);
      log.error(`message given up after ${MAX_ATTEMPTS} attempts`, { ...ids, error });
      await this.#record(channel, message);
    }
  }

  async #route(channel: ChannelHandle, message: ChannelMessage): Promise<Outcome> {
    const { log } = this.deps;
    const ids = { channel: channel.name, chatId: message.chatId, messageId: message.messageId, peerId: message.peer.id, kind: message.kind };
    let conversation: Conversation;
    try {
      conversation = conversationOf(channel, message);
    } catch (error) {
      log.warn("message dropped: its ids make no session key or chat id", { ...ids, error });
      return "ignored";
    }
    const botName = channel.botName();
    const text = withoutMention(message.text, botName);
    const command = parseSlash(text);
    if (command && !slashIsOurs(command, botName)) {
      log.debug("command for another bot ignored", ids);
      return "ignored";
    }
    if (!addressedToBot(message, channel.routing, command)) {
      log.debug("group message not addressed to the bot ignored", ids);
      return "ignored";
    }
    if (!text) {
      log.debug("message without text ignored", ids);
      return "ignored";
    }
    if (!this.#allowed(channel, message)) {
      if (message.kind === "dm") await this.#offerPairing(channel, message);
      else log.info("group message from a sender not allowed ignored (add them to allow_from or the group to allow_groups)", ids);
      return "ignored";
    }
    log.info("message received", { ...ids, chars: text.length, sessionKey: conversation.sessionKey });
    log.debug("message text", { ...ids, text });
    await this.deps.emit("message.received", {
      channel: channel.name,
      chatId: message.chatId,
      kind: message.kind,
      peer: message.peer,
      text,
      messageId: message.messageId,
      agentId: conversation.agentId,
      sessionKey: conversation.sessionKey,
      conversation: conversation.chatId,
    });
    if (command) {
      const answer = await this.#command(command, conversation);
      if (answer !== undefined) {
        await this.#send(channel, message, answer, conversation);
        return "answered";
      }
      // A user-invocable skill: the agent gets `/name args` as it is (the skills plugin gives that turn the skill).
      return this.#turn(channel, message, command.text, conversation);
    }
    return this.#turn(channel, message, text, conversation);
  }

  #allowed(channel: ChannelHandle, message: ChannelMessage): boolean {
    if (allowedByConfig(channel.routing, message)) return true;
    try {
      return this.deps.pairing.isPaired(channel.name, message.peer.id);
    } catch (error) {
      this.deps.log.error("pairing file unreadable: paired peers are not recognised until it is fixed", { channel: channel.name, error });
      return false;
    }
  }

  async #offerPairing(channel: ChannelHandle, message: ChannelMessage): Promise<void> {
    const { log } = this.deps;
    const now = Date.now();
    const offer = await this.deps.pairing.request(channel.name, message.peer, message.chatId, now);
    const ids = { channel: channel.name, chatId: message.chatId, peerId: message.peer.id };
    if (offer.created) {
      // Never the code itself, here or in the event: it is a credential until used.
      log.info("unknown sender: pairing code issued", { ...ids, expiresAt: new Date(offer.expiresAt).toISOString() });
      await this.deps.emit("channel.pairing.requested", { channel: channel.name, peer: message.peer, expiresAt: offer.expiresAt });
    }
    if (!offer.notify) {
      log.debug("unknown sender wrote again; their code was sent less than 10 minutes ago", ids);
      return;
    }
    await channel.adapter.send(message.chatId, pairingNotice(offer.code, offer.expiresAt, now), { signal: channel.signal });
    channel.noteSend();
  }

  /** A built-in command's answer, or undefined when the command is a skill for the agent. */
  async #command(command: SlashCommand, conversation: Conversation): Promise<string | undefined> {
    const { sessionKey, agentId } = conversation;
    switch (command.word) {
      case "new":
        return this.#fresh(sessionKey);
      case "stop":
        return this.#queue.stop(sessionKey) ? "Stopped." : "Nothing is running.";
      case "model":
        return this.#model(sessionKey, command.args);
      case "help":
        return helpText(await this.#invocableSkills(agentId));
      case "start":
        // Telegram sends /start when someone opens a bot: a greeting is what they want.
        return `Hello! Write to me and I'll answer.\n\n${helpText(await this.#invocableSkills(agentId))}`;
    }
    const skills = await this.#invocableSkills(agentId);
    if (skills.some((s) => s.name === command.word)) return undefined;
    return unknownCommand(command.word, skills);
  }

  async #fresh(sessionKey: string): Promise<string> {
    const sessions = this.deps.sessions();
    if (!sessions) return "I can't start a fresh session: sessions are not available right now.";
    // After the running turn (if any): archiving under it would split its answer across two sessions.
    return this.#queue.run(sessionKey, async () => {
      try {
        await sessions.archive(sessionKey);
      } catch (error) {
        if (!(isAlephError(error) && error.code === "ALEPH_E_NOT_FOUND")) {
          this.deps.log.warn("/new: the session could not be archived", { sessionKey, error });
          return `I couldn't start a fresh session (${isAlephError(error) ? error.code : "error"}).`;
        }
      }
      this.deps.log.info("session archived by /new", { sessionKey });
      return "Fresh session: this conversation starts over.";
    });
  }

  #model(sessionKey: string, args: string): string {
    const name = args.trim();
    if (!name) {
      const model = this.#models.get(sessionKey);
      return model ? `Model for this conversation: ${model}` : "This conversation uses the agent's default model.";
    }
    if (name === "default" || name === "reset") {
      this.#models.delete(sessionKey);
      return "This conversation uses the agent's default model again.";
    }
    if (/\s/.test(name) || name.length > 200) return "A model name is one word, e.g. /model gpt-4o-mini.";
    this.#models.set(sessionKey, name);
    return `Model for this conversation: ${name}`;
  }

  async #invocableSkills(agentId: string): Promise<{ name: string; description: string }[]> {
    const skills = this.deps.skills();
    if (!skills) return [];
    try {
      return (await skills.list(agentId)).filter((s) => s.userInvocable && s.status === "available").map((s) => ({ name: s.name, description: s.description }));
    } catch (error) {
      this.deps.log.warn("skills could not be listed", { agentId, error });
      return [];
    }
  }

  /** The agent turn (after the conversation's earlier ones), then its reply. */
  #turn(channel: ChannelHandle, message: ChannelMessage, text: string, conversation: Conversation): Promise<Outcome> {
    const { log } = this.deps;
    const ids = { channel: channel.name, chatId: message.chatId, messageId: message.messageId, sessionKey: conversation.sessionKey };
    return this.#queue.run<Outcome>(conversation.sessionKey, async (running) => {
      if (channel.signal.aborted) throw new Interrupted(channel.name);
      const model = this.#models.get(conversation.sessionKey);
      const signal = AbortSignal.any([running.signal, channel.signal]);
      const stopTyping = this.#typing(channel, message.chatId);
      const started = performance.now();
      let final: Extract<AgentTurnEvent, { type: "turn.completed" | "turn.failed" }> | undefined;
      try {
        const events = conversationTurn(
          { agent: this.deps.agent(), chat: this.deps.chat(), onChatError: (error) => log.warn("the chat could not record the exchange (the session holds it)", { ...ids, error }) },
          {
            text,
            agentId: conversation.agentId,
            sessionKey: conversation.sessionKey,
            chatId: conversation.chatId,
            from: `user:${message.peer.id}`,
            // The agent answers an id once: a redelivered message gets the stored answer, no second model call.
            id: `${channel.name}:${message.messageId}`,
            ...(model ? { model } : {}),
          },
          { signal },
        );
        for await (const event of events) if (event.type === "turn.completed" || event.type === "turn.failed") final = event;
      } finally {
        stopTyping();
      }
      const ms = Math.round(performance.now() - started);
      if (final?.type === "turn.completed") {
        if (!final.text.trim()) {
          log.warn("the agent's answer is empty: nothing sent", { ...ids, ms });
          return "answered";
        }
        log.debug("reply text", { ...ids, text: final.text });
        await this.#send(channel, message, final.text, conversation);
        return "answered";
      }
      if (running.stoppedByUser) {
        log.info("turn stopped with /stop", { ...ids, ms });
        return "answered";
      }
      if (channel.signal.aborted || final === undefined || final.code === "ALEPH_E_CANCELLED") throw new Interrupted(channel.name);
      log.warn("turn failed: apology sent", { ...ids, ms, code: final.code, error: final.message });
      await this.#send(channel, message, apology(final.code), conversation);
      return "answered";
    });
  }

  /** "typing…" until the returned function is called (best effort: a failure is no reason to stop). */
  #typing(channel: ChannelHandle, chatId: string): () => void {
    const typing = channel.adapter.typing?.bind(channel.adapter);
    if (!typing) return () => undefined;
    const show = () => void Promise.resolve().then(() => typing(chatId)).catch((error: unknown) => this.deps.log.debug("typing indicator failed", { channel: channel.name, error: errorMessage(error) }));
    show();
    const timer = setInterval(show, TYPING_EVERY_MS);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  async #send(channel: ChannelHandle, message: ChannelMessage, text: string, conversation: Conversation): Promise<void> {
    // In a group the reply quotes what it answers (several people talk there); in a DM it needs not.
    const replyTo = message.kind === "group" ? message.messageId : undefined;
    const receipt = await channel.adapter.send(message.chatId, text, { ...(replyTo ? { replyTo } : {}), signal: channel.signal });
    channel.noteSend();
    const messageIds = Array.isArray(receipt?.messageIds) ? receipt.messageIds.map(String) : [];
    this.deps.log.info("reply sent", { channel: channel.name, chatId: message.chatId, messageId: message.messageId, parts: messageIds.length, chars: text.length });
    await this.deps.emit("message.sent", { channel: channel.name, chatId: message.chatId, messageIds, ...(replyTo ? { replyTo } : {}), sessionKey: conversation.sessionKey });
  }

  async #record(channel: ChannelHandle, message: ChannelMessage): Promise<void> {
    try {
      await this.deps.ledger.record(channel.name, message.messageId);
    } catch (error) {
      // The reply is out: rejecting would make the adapter redeliver and the reply go twice.
      this.deps.log.error("could not record the message as answered (a redelivery of it would be answered again)", { channel: channel.name, messageId: message.messageId, error });
    }
  }
}
