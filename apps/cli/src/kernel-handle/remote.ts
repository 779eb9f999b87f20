import { type CallOptions, type ConfigReloadResult, type KernelEvent, type KernelHandle, type KernelStatusView, type ServiceCaller, type ServiceRef } from "@aleph/plugin-sdk/core";
import { ControlClient, KernelClosedError } from "../control/client.js";
import { serviceProxy } from "./service-proxy.js";

/** Kernel introspection answers at once; a kernel that does not is stuck, and saying so beats waiting. */
const INTROSPECTION_TIMEOUT_MS = 5000;

/** The running kernel, reached over its control socket. */
export class RemoteKernel implements KernelHandle {
  readonly mode = "remote" as const;
  readonly #client: ControlClient;

  constructor(socketPath: string) {
    this.#client = new ControlClient(socketPath);
  }

  service<T>(ref: ServiceRef<T> | string): ServiceCaller<T> {
    return serviceProxy(ref, (service, method, args) => this.call(service, method, args));
  }

  call(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    return this.#client.request("service.call", { service, method, args }, options.signal ? { signal: options.signal } : {});
  }

  stream(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): AsyncIterable<unknown> {
    return this.#client.stream("service.stream", { service, method, args }, options.signal);
  }

  /** Ends (does not fail) when the kernel stops: there are no more events to wait for. */
  async *events(options: { prefix?: string; signal?: AbortSignal } = {}): AsyncIterable<KernelEvent> {
    try {
      for await (const item of this.#client.stream("events.subscribe", options.prefix === undefined ? {} : { prefix: options.prefix }, options.signal)) {
        yield item as KernelEvent;
      }
    } catch (error) {
      if (!(error instanceof KernelClosedError)) throw error;
    }
  }

  async emit(event: string, payload: unknown = {}): Promise<void> {
    await this.#client.request("events.emit", { event, payload });
  }

  async status(): Promise<KernelStatusView> {
    return (await this.#client.request("status", {}, { timeoutMs: INTROSPECTION_TIMEOUT_MS })) as KernelStatusView;
  }

  /** A kernel method that is not a service call (plugins.inspect, config.schema). */
  ask(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.#client.request(method, params, { timeoutMs: INTROSPECTION_TIMEOUT_MS });
  }

  /** An invalid file is reported in the result (and by the kernel: config.invalid, its log); the last good config stays in force. */
  async reloadConfig(): Promise<ConfigReloadResult> {
    return (await this.#client.request("config.reload")) as ConfigReloadResult;
  }


  close(): void {
    this.#client.close();
  }
}
