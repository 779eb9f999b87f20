import { join } from "node:path";
import { channelsRef, definePlugin } from "@aleph/plugin-sdk";
import { discordConfigSchema, routingOf } from "./config.js";
import { LazyDiscordChannel } from "./lazy-channel.js";

/*
 * The Discord plugin's entry, imported at every kernel start, kept tiny: with a token in
 * [interfaces.discord] it registers the channel "discord" with the channels registry, which starts
 * it; the channel's code (and @discordjs/*) is imported only then (lazy-channel.ts). Without a
 * token, or with enabled = false, it does nothing. A change to [interfaces.discord] reloads the
 * plugin: the channel stops (its gateway session saved) and the next generation resumes it.
 */
export default definePlugin({
  // The [interfaces.discord] section of config.toml.
  config: discordConfigSchema,

  setup(ctx) {
    const config = ctx.config;
    if (!config.enabled) {
      ctx.log.debug("[interfaces.discord] enabled = false: the Discord channel is off");
      return;
    }
    if (config.token === undefined) {
      // Said once per load: a workspace that never mentions Discord hears it at debug level only.
      const configured = ctx.configValue("interfaces.discord") !== undefined;
      const say = configured ? ctx.log.warn.bind(ctx.log) : ctx.log.debug.bind(ctx.log);
      say('the Discord channel is off: [interfaces.discord] has no token (aleph keys set discord-token, then token = "keys:discord-token")');
      return;
    }
    const channel = new LazyDiscordChannel({
      token: config.token,
      apiBase: config.api_base,
      ...(config.gateway_url !== undefined ? { gatewayUrl: config.gateway_url } : {}),
      connectTimeoutMs: config.connect_timeout_seconds * 1000,
      sessionFile: () => join(ctx.paths.data, "gateway-session.json"),
      log: ctx.log,
    });
    const registration = ctx.services.get(channelsRef).register(channel, { plugin: ctx.id, routing: routingOf(config) });
    ctx.onDispose(async () => {
      await registration.dispose();
      await registration.stopped();
    });
  },
});
