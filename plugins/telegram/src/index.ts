import { definePlugin } from "@aleph/plugin-sdk";
import { ChannelRegistration } from "./channel-registration.js";
import { telegramConfigSchema } from "./config.js";

/*
 * The Telegram channel plugin's entry, imported at every `aleph start` (a daemon: never in a
 * kernel started for one command). It registers the channel with the channels registry when
 * [interfaces.telegram] is configured; the adapter's code and grammY (dist/runtime.js) load when
 * the registry starts the channel. Without the table it logs once that it is not configured.
 */
export default definePlugin({
  // [interfaces.telegram]: routing keys and token, api_root, poll_timeout (config.ts).
  config: telegramConfigSchema,

  async setup(ctx) {
    const channel = new ChannelRegistration(ctx);
    ctx.onDispose(() => channel.close());
    ctx.onConfigChange((next) => channel.apply(next));
    await channel.apply(ctx.config);
  },
});
