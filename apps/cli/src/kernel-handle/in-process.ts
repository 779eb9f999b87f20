import { AlephError, type CallOptions, type ConfigReloadResult, type KernelEvent, type KernelHandle, type KernelStatusView, type ServiceCaller, type ServiceRef } from "@aleph/plugin-sdk";
import type { Kernel } from "@aleph/kernel";
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

  async call(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    options.signal?.throwIfAborted();
    return asJson(await invokeService(this.kernel, service, method, asJson(args)));
  }

  async *stream(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): AsyncIterable<unknown> {
    const iterable = await invokeServiceStream(this.kernel, service, method, asJson(args));
    for await (const item of iterable) {
      if (options.signal?.aborted) return;
      yield asJson(item);
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
