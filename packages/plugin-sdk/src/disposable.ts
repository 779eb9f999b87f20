/** Something that can be undone. Every registration made through a plugin context returns one. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/** Wraps a teardown function so that it runs at most once. */
export function toDisposable(fn: () => void | Promise<void>): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      return fn();
    },
  };
}

/**
 * Holds teardowns and runs them last-in-first-out. Unloading a plugin is disposing its store:
 * whatever it registered is undone in reverse order, and disposing twice is harmless.
 */
export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Adds a teardown; if the store is already disposed it runs at once (nothing outlives its owner). */
  add<T extends Disposable>(item: T): T {
    if (this.#disposed) {
      void Promise.resolve()
        .then(() => item.dispose())
        .catch(() => undefined);
      return item;
    }
    this.#items.push(item);
    return item;
  }

  /** Removes a teardown without running it (used when the item was disposed by its owner). */
  delete(item: Disposable): void {
    const i = this.#items.lastIndexOf(item);
    if (i >= 0) this.#items.splice(i, 1);
  }

  /** Runs every teardown LIFO; errors are collected, not thrown mid-way, so one bad teardown cannot leak the rest. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const errors: unknown[] = [];
    while (this.#items.length > 0) {
      const item = this.#items.pop()!;
      try {
        await item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} teardowns failed`);
  }
}
