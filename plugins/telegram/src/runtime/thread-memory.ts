/*
 * Which forum topic an inbound message was in, so that every part of the reply goes to that topic
 * (only the first part is a reply; without message_thread_id the others would land in "General").
 * A bounded memory: a reply comes soon after its message, and a forgotten topic costs only that.
 */

const MAX_ENTRIES = 1000;

export class ThreadMemory {
  readonly #threads = new Map<string, number>();

  remember(messageId: string, threadId: number): void {
    this.#threads.delete(messageId);
    this.#threads.set(messageId, threadId);
    if (this.#threads.size > MAX_ENTRIES) this.#threads.delete(this.#threads.keys().next().value!);
  }

  get(messageId: string): number | undefined {
    return this.#threads.get(messageId);
  }
}
