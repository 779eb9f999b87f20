import { channelsRef, importSibling, type Disposable, type PluginContext } from "@aleph/plugin-sdk";
import { channelSettings, type TelegramChannelSettings, type TelegramConfig } from "./config.js";
import { LazyChannelAdapter } from "./lazy-adapter.js";

const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export const CHANNEL_NAME = "telegram";

/*
 * The channel as the config says: registered with the channels registry while
 * [interfaces.telegram] has a token and is enabled, with its routing. A change of the table
 * unregisters the running channel — which waits until its poller has exited — and registers
 * a new one, so there is never a second poller on the token, and nothing else restarts.
 */
export class ChannelRegistration {
  #current: { key: string; registration: Disposable & { stopped(): Promise<void> } } | undefined;
  #idle: "unconfigured" | "disabled" | undefined;
  /** Config changes apply one after the other. */
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: PluginContext<TelegramConfig | undefined>) {}

  apply(config: TelegramConfig | undefined): Promise<void> {
    const next = this.#queue.then(() => this.#apply(config));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    const next = this.#queue.then(() => this.#unregister());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #apply(config: TelegramConfig | undefined): Promise<void> {
    const settings = channelSettings(config);
    // The token is part of the key: this string stays in memory, it is never logged.
    const key = settings ? JSON.stringify(settings) : undefined;
    if (key !== undefined && key === this.#current?.key) return;
    await this.#unregister();
    if (!settings) {
      const idle = config?.enabled === false ? "disabled" : "unconfigured";
      if (idle !== this.#idle) {
        this.ctx.log.info(
          idle === "disabled"
            ? "Telegram is switched off ([interfaces.telegram] enabled = false)"
            : 'Telegram is not configured: add [interfaces.telegram] with token = "keys:telegram-token" to use it (plugins/telegram/README.md)',
        );
      }
      this.#idle = idle;
      return;
    }
    this.#idle = undefined;
    this.#register(settings, key!);
  }

  #register(settings: TelegramChannelSettings, key: string): void {
    const channels = this.ctx.services.get(channelsRef);
    const adapter = new LazyChannelAdapter(CHANNEL_NAME, async () =>
      (await runtimeModule()).createTelegramAdapter({
        name: CHANNEL_NAME,
        token: settings.token,
        apiRoot: settings.apiRoot,
        pollTimeoutSeconds: settings.pollTimeoutSeconds,
        dataDir: this.ctx.paths.data,
        log: this.ctx.log,
      }),
    );
    const registration = channels.register(adapter, { plugin: this.ctx.id, routing: settings.routing });
    this.#current = { key, registration };
  }

  async #unregister(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    await current.registration.dispose();
    await current.registration.stopped();
  }
}
