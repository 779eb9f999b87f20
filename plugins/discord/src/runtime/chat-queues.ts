/*
 * Delivery order. `deliver` resolves when the registry is done with a message — often after a
 * whole agent turn — so awaiting each message in turn would let one slow conversation hold up
 * every other. Messages are therefore queued per Discord channel (a DM, a guild channel, a thread):
 * within one channel they are delivered one at a time, in the order they arrived; different
 * channels proceed side by side.
 */
export class ChatQueues {
  readonly #tails = new Map<string, Promise<void>>();
  #closed = false;

  /** Queues `task` behind the tasks of the same chat. It must not throw (it catches what it runs). */
  enqueue(chatId: string, task: () => Promise<void>): void {
    if (this.#closed) return;
    const previous = this.#tails.get(chatId) ?? Promise.resolve();
    const tail = previous.then(() => (this.#closed ? undefined : task()));
    this.#tails.set(chatId, tail);
    void tail.then(() => {
      if (this.#tails.get(chatId) === tail) this.#tails.delete(chatId);
    });
  }

  /**
   * Stops: tasks not yet started are dropped (never run), and this resolves when the running ones
   * have ended. Enqueueing afterwards does nothing.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#tails.values());
  }
}
