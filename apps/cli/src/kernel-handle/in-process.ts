import { AlephError, type CallOptions, type ConfigReloadResult, type KernelEvent, type KernelHandle, type KernelStatusView, type ServiceCaller, type ServiceRef } from "@aleph/plugin-sdk/core";
import type { Kernel } from "@aleph/kernel";
import { abortable, cancelled } from "./abortable.js";
import { invokeService, invokeServiceStream } from "./invoke-service.js";
import { asJson, serviceProxy } from "./service-proxy.js";
import { subscribeEvents } from "./event-subscription.js";

/** A kernel started in this process (for one command, or `aleph start`'s own seeding). */
export class InProcessKernel implements KernelHandle {
  readonly mode = "in-process" as const;

  constructor(readonly kernel: Kernel) {}

  service<T>(ref: ServiceRef<T> | string): ServiceCaller<T> {
    return serviceProxy(ref, (service, method, args) => this.call(service, method, args));
  }

  /** An aborted call rejects with ALEPH_E_CANCELLED at once (the method's own work runs on, unwatched). */
  async call(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    const what = `"${service}.${method}"`;
    if (options.signal?.aborted) throw cancelled(what);
    return asJson(await abortable(invokeService(this.kernel, service, method, asJson(args)), options.signal, what));
  }

  /** Ends (as the remote one does) as soon as the signal aborts, even while the method is between items. */
  async *stream(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): AsyncIterable<unknown> {
    const what = `"${service}.${method}"`;
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      const iterable = await abortable(invokeServiceStream(this.kernel, service, method, asJson(args)), options.signal, what);
      iterator = iterable[Symbol.asyncIterator]();
      for (;;) {
        const next = await abortable(iterator.next(), options.signal, what);
        if (next.done) return;
        yield asJson(next.value);
      }
    } catch (error) {
      if ((error as AlephError).code !== "ALEPH_E_CANCELLED" || !options.signal?.aborted) throw error;
    } finally {
      // Not awaited: a generator blocked inside an await finishes its return only when it wakes.
      iterator?.return?.().catch(() => {});
    }
  }

  events(options: { prefix?: string; signal?: AbortSignal } = {}): AsyncIterable<KernelEvent> {
    return subscribeEvents(this.kernel, options);
  }

  async emit(event: string, payload: unknown = {}): Promise<void> {
    await this.kernel.bus.emit(event as never, asJson(payload) as never);
  }

  async status(): Promise<KernelStatusView> {
    return asJson(this.kernel.status()) as KernelStatusView;
  }

  async reloadConfig(): Promise<ConfigReloadResult> {
    return asJson(await this.kernel.reloadConfig());
  }
}

/** Refuses an event name the CLI may not emit: kernel events are the kernel's to tell. */
export function checkEmittable(event: string): void {
  if (!/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/.test(event)) {
    throw new AlephError("ALEPH_E_USAGE", `"${event}" is not an event name`, { fix: "event names are dotted lowercase words, e.g. greeting.sent" });
  }
  if (/^(kernel|plugin|config)\./.test(event)) {
    throw new AlephError("ALEPH_E_USAGE", `"${event}" is a kernel event: only the kernel emits kernel.*, plugin.* and config.* events`, { fix: "emit an event of your plugin's own, e.g. hello.ping" });
  }
}
