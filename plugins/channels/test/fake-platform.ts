/*
 * A test double of a *remote messaging platform* and its channel adapter: the test plays the users
 * (`say`) and reads what the bot sent (`sent`, `waitForSent`). Everything on Aleph's side — the
 * registry, the agent, sessions, chat — is the real thing.
 */
import type { ChannelAdapter, ChannelMessage, ChannelReceipt, ChannelState } from "@aleph/plugin-sdk";

export interface Sent {
  chatId: string;
  text: string;
  replyTo?: string;
  messageIds: string[];
}

let counter = 0;

export class FakePlatform implements ChannelAdapter {
  readonly sent: Sent[] = [];
  readonly typingCalls: string[] = [];
  starts = 0;
  stops = 0;
  /** The next start calls that fail, and with what. */
  failStarts: Error[] = [];
  /** While set, stop() waits for it (to see who waits for the stop). */
  stopGate: Promise<void> | undefined;
  /** While set, send() fails with it. */
  sendFailure: Error | undefined;
  botName = "@aleph_bot";
  #deliver: ((message: ChannelMessage) => Promise<void>) | undefined;
  #running = false;
  #lastReceiveAt: number | undefined;
  #waiters: { predicate: (s: Sent) => boolean; resolve: (s: Sent) => void }[] = [];
  #nextMessageId = 1;

  constructor(readonly name = "fake") {}

  async start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
    this.starts++;
    const failure = this.failStarts.shift();
    if (failure) throw failure;
    if (signal.aborted) throw new Error("aborted before start");
    this.#deliver = deliver;
    this.#running = true;
  }

  async stop(): Promise<void> {
    await this.stopGate;
    this.stops++;
    this.#running = false;
    this.#deliver = undefined;
  }

  async send(chatId: string, text: string, options?: { replyTo?: string; signal?: AbortSignal }): Promise<ChannelReceipt> {
    if (this.sendFailure) throw this.sendFailure;
    const messageIds = [`out-${++counter}`];
    const sent: Sent = { chatId, text, ...(options?.replyTo ? { replyTo: options.replyTo } : {}), messageIds };
    this.sent.push(sent);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(sent)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(sent);
      }
    }
    return { messageIds };
  }

  async typing(chatId: string): Promise<void> {
    this.typingCalls.push(chatId);
  }

  status(): { state: ChannelState; botName?: string; lastReceiveAt?: number } {
    return { state: this.#running ? "running" : "stopped", botName: this.botName, ...(this.#lastReceiveAt ? { lastReceiveAt: this.#lastReceiveAt } : {}) };
  }

  get running(): boolean {
    return this.#running;
  }

  /** A message as the platform would hand it over: a DM from peer 42 unless told otherwise. */
  message(partial: Partial<ChannelMessage> = {}): ChannelMessage {
    return {
      channel: this.name,
      chatId: partial.kind === "group" ? "group-chat" : `dm-${partial.peer?.id ?? "42"}`,
      kind: "dm",
      peer: { id: "42", name: "Ada", username: "ada" },
      text: "hello",
      messageId: `in-${this.#nextMessageId++}`,
      mentionsBot: false,
      sentAt: Date.now(),
      ...partial,
    };
  }

  /** Delivers a message as the adapter's receive loop would, and resolves when the registry has handled it. */
  say(partial: Partial<ChannelMessage> = {}): Promise<void> {
    return this.deliverRaw(this.message(partial));
  }

  deliverRaw(message: ChannelMessage): Promise<void> {
    if (!this.#deliver) throw new Error(`channel ${this.name} is not running`);
    this.#lastReceiveAt = Date.now();
    return this.#deliver(message);
  }

  waitForSent(predicate: (s: Sent) => boolean, timeoutMs = 10_000): Promise<Sent> {
    const found = this.sent.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve: (s: Sent) => (clearTimeout(timer), resolve(s)) };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`nothing matching was sent within ${timeoutMs} ms; sent: ${JSON.stringify(this.sent)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  textsTo(chatId: string): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.text);
  }
}
