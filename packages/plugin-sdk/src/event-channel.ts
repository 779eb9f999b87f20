/*
 * An async iterable fed by a producer that runs on its own, for service methods that stream
 * (`agent.turn`, `providers.stream`) and must stop *at once* when their consumer goes away. An
 * async generator cannot: its `return()` waits until the generator reaches its next `yield`, so a
 * consumer's Ctrl-C would wait for a model call or a tool to finish. Here `return()` aborts the
 * producer's signal immediately (the kernel handle calls it when a remote client cancels).
 */

export interface EventChannelOptions {
  /** Also stops the producer (an in-process caller's own signal). */
  signal?: AbortSignal;
}

/**
 * Runs `produce(push, signal)` and yields what it pushes, in order. A throw from `produce` is
 * rethrown to the consumer after the items pushed before it; the iterable ends when `produce` settles.
 */
export function eventChannel<T>(produce: (push: (item: T) => void, signal: AbortSignal) => Promise<void>, options: EventChannelOptions = {}): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const controller = new AbortController();
      const outer = options.signal instanceof AbortSignal ? options.signal : undefined;
      const onOuterAbort = () => controller.abort(outer!.reason);
      if (outer?.aborted) controller.abort(outer.reason);
      else outer?.addEventListener("abort", onOuterAbort, { once: true });
      const queue: T[] = [];
      let finished = false;
      let failure: { error: unknown } | undefined;
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      const push = (item: T) => {
        if (finished || controller.signal.aborted) return;
        queue.push(item);
        notify();
      };
      produce(push, controller.signal).then(
        () => {
          finished = true;
          notify();
        },
        (error: unknown) => {
          failure = { error };
          finished = true;
          notify();
        },
      );
      const stop = () => {
        outer?.removeEventListener("abort", onOuterAbort);
        if (!controller.signal.aborted) controller.abort(new Error("the consumer stopped reading"));
      };
      return {
        async next(): Promise<IteratorResult<T>> {
          for (;;) {
            if (queue.length > 0) return { done: false, value: queue.shift()! };
            if (finished) {
              stop();
              if (failure) {
                const { error } = failure;
                failure = undefined;
                throw error;
              }
              return { done: true, value: undefined };
            }
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
        async return(): Promise<IteratorResult<T>> {
          finished = true;
          queue.length = 0;
          stop();
          notify();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
