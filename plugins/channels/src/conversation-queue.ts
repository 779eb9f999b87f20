/*
 * One turn at a time per conversation (session key), in arrival order — the agent queues per
 * session too, but the reply must follow the same order and `/stop` must find the turn that runs.
 * Other conversations run alongside.
 */

export interface RunningTurn {
  readonly signal: AbortSignal;
  /** Set when `/stop` aborted it: the turn was answered by the stop itself. */
  readonly stoppedByUser: boolean;
}

interface Slot extends RunningTurn {
  controller: AbortController;
  stoppedByUser: boolean;
}

export class ConversationQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #running = new Map<string, Slot>();

  /** Runs `work` after the conversation's earlier work has settled. */
  run<T>(key: string, work: (turn: RunningTurn) => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const start = async (): Promise<T> => {
      const controller = new AbortController();
      const slot: Slot = { controller, signal: controller.signal, stoppedByUser: false };
      this.#running.set(key, slot);
      try {
        return await work(slot);
      } finally {
        if (this.#running.get(key) === slot) this.#running.delete(key);
      }
    };
    const result = previous.then(start, start);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Aborts the conversation's running work (`/stop`); false when nothing runs. */
  stop(key: string): boolean {
    const slot = this.#running.get(key);
    if (!slot || slot.controller.signal.aborted) return false;
    slot.stoppedByUser = true;
    slot.controller.abort(new Error("stopped with /stop"));
    return true;
  }

  /** Whether work of the conversation is running now. */
  busy(key: string): boolean {
    return this.#running.has(key);
  }
}
