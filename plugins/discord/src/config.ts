import * as z from "@aleph/zod/mini";
import { channelRoutingShape, type ChannelRouting } from "@aleph/plugin-sdk";

/*
 * The [interfaces.discord] section of config.toml, owned by this plugin:
 *
 *   [interfaces.discord]
 *   token = "keys:discord-token"          # the bot token, from the keys vault
 *   allow_from = ["123456789012345678"]   # user ids (or "@username") answered anywhere
 *   guilds = ["987654321098765432"]       # servers whose members are answered (when they mention the bot)
 *
 * Strict: the routing keys every channel has (channelRoutingShape: enabled, agent, allow_from,
 * allow_groups, group_trigger) beside Discord's own, so a misspelt key of either kind is an error
 * naming it. `keys:<name>` values are resolved by the kernel before the plugin sees them.
 */

/** A Discord id (a snowflake): 17 to 20 digits. */
export const SNOWFLAKE = /^\d{17,20}$/;
/** A Discord username (the current, lowercase system), as `allow_from` names one: "@name". */
const USERNAME = /^@[a-z0-9_.]{2,32}$/;
/** A REST base that already names an API version: the client adds `/v10` itself. */
const VERSIONED_BASE = /\/v\d+\/?$/;

export const DEFAULT_API_BASE = "https://discord.com/api";

const snowflake = (what: string) => z.string().check(z.regex(SNOWFLAKE, { message: `not a Discord ${what} id (17 to 20 digits; Developer Mode → right-click → Copy ID)` }));

const peerEntry = z.string().check(
  z.refine((entry) => SNOWFLAKE.test(entry) || USERNAME.test(entry), {
    message: 'not a Discord user id (17 to 20 digits) or "@username" (lowercase letters, digits, "_" and ".")',
  }),
);

const httpUrl = z.url({ protocol: /^https?$/, message: "an http:// or https:// URL" });
const webSocketUrl = z.url({ protocol: /^wss?$/, message: "a ws:// or wss:// URL" });

export const discordConfigSchema = z
  .strictObject({
    ...channelRoutingShape,
    token: z
      .optional(
        z.string().check(
          z.minLength(1, { message: "is empty: give the bot token (Developer Portal → Bot → Reset Token), best as \"keys:discord-token\"" }),
          // The messages below never quote the value: it is a credential.
          z.refine((token) => !/^Bot\s/i.test(token), { message: 'starts with "Bot ": give the token alone (the client adds the "Bot " prefix)' }),
          z.refine((token) => /^Bot\s/i.test(token) || !/\s/.test(token), { message: "contains whitespace: a Discord bot token has none (copy it again)" }),
        ),
      )
      .check(z.describe('the bot token; store it in the keys vault (aleph keys set discord-token) and write "keys:discord-token"'), z.meta({ examples: ["keys:discord-token"] })),
    guilds: z
      ._default(z.array(snowflake("guild")), [])
      .check(z.describe("servers (guild ids) whose members are answered, when they mention the bot or reply to it (per group_trigger): the same list as allow_groups")),
    api_base: z
      ._default(
        httpUrl.check(z.refine((url) => !VERSIONED_BASE.test(url), { message: 'names an API version: leave it off (the client adds /v10), e.g. "https://discord.com/api"' })),
        DEFAULT_API_BASE,
      )
      .check(z.describe("the REST API base URL, without the version (default https://discord.com/api)")),
    gateway_url: z
      .optional(webSocketUrl.check(z.refine((url) => !/[?#]/.test(url), { message: "must have no query or fragment (the client adds ?v=10&encoding=json)" })))
      .check(z.describe("the gateway WebSocket URL to connect to; default: the one GET /gateway/bot names")),
    connect_timeout_seconds: z
      ._default(z.number().check(z.positive(), z.maximum(600)), 30)
      .check(z.describe("how long connecting to the gateway may take at start before the attempt fails (and is retried)")),
  })
  .check(
    z.superRefine((config, ctx) => {
      config.allow_from.forEach((entry, index) => {
        if (!peerEntry.safeParse(entry).success) {
          ctx.addIssue({ code: "custom", path: ["allow_from", index], message: `${JSON.stringify(entry)} is not a Discord user id (17 to 20 digits) or "@username" (lowercase letters, digits, "_" and ".")` });
        }
      });
      config.allow_groups.forEach((entry, index) => {
        if (!SNOWFLAKE.test(entry)) ctx.addIssue({ code: "custom", path: ["allow_groups", index], message: `${JSON.stringify(entry)} is not a Discord guild id (17 to 20 digits)` });
      });
    }),
  );

export type DiscordConfig = z.output<typeof discordConfigSchema>;

/** The routing handed to the channels registry: `guilds` joins `allow_groups` (one list, two names). */
export function routingOf(config: DiscordConfig): ChannelRouting {
  return {
    agent: config.agent,
    allow_from: config.allow_from,
    allow_groups: [...new Set([...config.allow_groups, ...config.guilds])],
    group_trigger: config.group_trigger,
  };
}
