import type { CallOptions, ConfigReloadResult, KernelEvent, KernelHandle, KernelStatusView, ServiceCaller, ServiceRef } from "@aleph/plugin-sdk/core";
import type { OpenHandle } from "./open.js";
import { eitherSignal } from "./abortable.js";
import { serviceProxy } from "./service-proxy.js";

/**
 * A kernel handle that opens its kernel on first use. A command that refuses its input (a bad
 * session key) then never starts a kernel, creates a database or writes a log. With `signal` (the
 * command's Ctrl-C), every call, stream and event subscription made through it ends when it aborts,
 * including the typed callers of `service()`, which take no options.
 */
export class LazyKernel implements KernelHandle {
  #opening: Promise<OpenHandle> | undefined;
  #mode: KernelHandle["mode"];

  /** `open` opens the handle (and may check it: the command's plugin must be running there). */
  constructor(
    readonly open: () => Promise<OpenHandle>,
    /** The mode it will have: no kernel runs now, so the one it opens is started in this process. */
    mode: KernelHandle["mode"] = "in-process",
    readonly signal?: AbortSignal,
  ) {
    this.#mode = mode;
  }

  #options<T extends { signal?: AbortSignal }>(options: T): T {
    const signal = eitherSignal(options.signal, this.signal);
    return signal ? { ...options, signal } : options;
  }

  get mode(): KernelHandle["mode"] {
    return this.#mode;
  }

  async #handle(): Promise<KernelHandle> {
    this.#opening ??= this.open();
    const { handle } = await this.#opening;
    this.#mode = handle.mode; // a kernel started meanwhile (`aleph start`) is used over its socket
    return handle;
  }

  get opened(): boolean {
    return this.#opening !== undefined;
  }

  service<T>(ref: ServiceRef<T> | string): ServiceCaller<T> {
    return serviceProxy(ref, (service, method, args) => this.call(service, method, args));
  }

  async call(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    return (await this.#handle()).call(service, method, args, this.#options(options));
  }

  async *stream(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): AsyncIterable<unknown> {
    yield* (await this.#handle()).stream(service, method, args, this.#options(options));
  }

  async *events(options: { prefix?: string; signal?: AbortSignal } = {}): AsyncIterable<KernelEvent> {
    yield* (await this.#handle()).events(this.#options(options));
  }

  async emit(event: string, payload?: unknown): Promise<void> {
    return (await this.#handle()).emit(event, payload);
  }

  async status(): Promise<KernelStatusView> {
    return (await this.#handle()).status();
  }

  async reloadConfig(): Promise<ConfigReloadResult> {
    return (await this.#handle()).reloadConfig();
  }

  /** Lets the kernel go, if it was opened. */
  async close(): Promise<void> {
    if (!this.#opening) return;
    const open = await this.#opening.catch(() => undefined);
    await open?.close();
  }
}
