import type { KernelEvent } from "@aleph/plugin-sdk/core";
import type { Kernel } from "@aleph/kernel";

/**
 * The bus's events from now on as an async iterable (for `aleph events tail` and the control
 * socket's events.subscribe), until `signal` aborts or the consumer stops. Payloads are scrubbed of
 * secrets like a log line, and queued while the consumer is busy (it never slows the emitter).
 */
export function subscribeEvents(kernel: Kernel, options: { prefix?: string; signal?: AbortSignal } = {}): AsyncIterable<KernelEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      const queue: KernelEvent[] = [];
      let wake: (() => void) | undefined;
      const stopListening = kernel.bus.onAny((event, payload) => {
        if (options.prefix !== undefined && !event.startsWith(options.prefix)) return;
        queue.push({ event, payload: kernel.redactPayload(payload) } as KernelEvent);
        wake?.();
      });
      const onAbort = () => wake?.();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        while (!options.signal?.aborted) {
          if (queue.length > 0) {
            yield queue.shift()!;
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        stopListening.dispose();
        options.signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}
