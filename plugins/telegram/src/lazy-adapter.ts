import { AlephError, errorMessage, type ChannelAdapter, type ChannelMessage, type ChannelReceipt, type ChannelStatus } from "@aleph/plugin-sdk";

/*
 * A ChannelAdapter that loads the real one (dist/runtime.js, and grammY with it) when it is first
 * started or used, so registering the channel at kernel start costs nothing but this object.
 * Until then its status is "starting"; a runtime that cannot be loaded makes it "failed".
 */
export class LazyChannelAdapter implements ChannelAdapter {
  #loading: Promise<ChannelAdapter> | undefined;
  #loaded: ChannelAdapter | undefined;
  #loadError: AlephError | undefined;
  /** Bumped by every start and stop: a start whose load outlived a stop must not start anything. */
  #run = 0;
  #stopped = false;

  constructor(
    readonly name: string,
    private readonly load: () => Promise<ChannelAdapter>,
  ) {}

  async start(deliver: (message: ChannelMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
    const run = ++this.#run;
    this.#stopped = false;
    const adapter = await this.#adapter();
    if (run !== this.#run || signal.aborted) return;
    await adapter.start(deliver, signal);
  }

  async stop(): Promise<void> {
    this.#run++;
    this.#stopped = true;
    const adapter = this.#loaded ?? (await this.#loading?.catch(() => undefined));
    await adapter?.stop();
  }

  async send(chatId: string, text: string, options?: { replyTo?: string; signal?: AbortSignal }): Promise<ChannelReceipt> {
    return (await this.#adapter()).send(chatId, text, options);
  }

  async typing(chatId: string): Promise<void> {
    // Best effort and never worth loading the runtime for.
    await this.#loaded?.typing?.(chatId);
  }

  status(): Omit<ChannelStatus, "plugin" | "name"> {
    if (this.#loaded) return this.#loaded.status();
    if (this.#loadError) return { state: "failed", error: this.#loadError.message };
    return { state: this.#stopped ? "stopped" : "starting" };
  }

  #adapter(): Promise<ChannelAdapter> {
    this.#loading ??= this.load().then(
      (adapter) => (this.#loaded = adapter),
      (error: unknown) => {
        this.#loadError = new AlephError("ALEPH_E_IMPORT", `the ${this.name} channel's code could not be loaded: ${errorMessage(error)}`, {
          fix: "reinstall aleph (the plugin's dist/runtime.js or its grammy dependency is missing or broken)",
          cause: error,
        });
        throw this.#loadError;
      },
    );
    return this.#loading;
  }
}
