import * as z from "@aleph/zod/mini";
import { channelRoutingShape, type ChannelRouting } from "@aleph/plugin-sdk";
import { ALLOW_FROM_PATTERN, ALLOW_GROUP_PATTERN, allowFromProblem, allowGroupProblem } from "./allow-entries.js";

/*
 * [interfaces.telegram] in config.toml, owned by this plugin: the routing keys every channel has
 * (channelRoutingShape: enabled, agent, allow_from, allow_groups, group_trigger) beside Telegram's
 * own, in one strict table, so a misspelt key of either kind is an error naming it.
 *
 *   [interfaces.telegram]
 *   token = "keys:telegram-token"        # resolved from the vault by the kernel before we see it
 *   allow_from = ["@ada_lovelace", "123456789"]
 *
 * An absent table means "not configured": the kernel validates an absent section as {} and, when
 * that fails (no token), as undefined, which the optional schema accepts — the plugin then does
 * nothing. A table that is there but has no token (and is not `enabled = false`) is an error.
 */

export const DEFAULT_API_ROOT = "https://api.telegram.org";

/** `<bot id>:<secret>`, as @BotFather hands it out. Checked after `keys:` / `${ENV}` resolution. */
const BOT_TOKEN = /^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$/;

/** A list entry: the pattern (in the JSON Schema as well), and the message saying what is wrong with this entry. */
const entry = (pattern: RegExp, problem: (entry: string) => string | undefined) =>
  z.string().check(z.regex(pattern, { error: (issue) => problem(String(issue.input)) ?? "not a valid entry" }));

const tableSchema = z
  .strictObject({
    ...channelRoutingShape,
    allow_from: z
      ._default(z.array(entry(ALLOW_FROM_PATTERN, allowFromProblem)), [])
      .check(z.describe('people answered: Telegram user ids ("123456789") or "@username"s (never phone numbers: bots are not told them); empty means nobody until paired')),
    allow_groups: z
      ._default(z.array(entry(ALLOW_GROUP_PATTERN, allowGroupProblem)), [])
      .check(z.describe('group chats whose members are all answered: their chat ids, negative ("-1001234567890")')),
    token: z
      .optional(
        z.string().check(
          // A refinement, not a pattern: it checks the resolved token, and must stay out of the
          // JSON Schema, where an editor would hold it against the "keys:telegram-token" written
          // in the file. The message never quotes the value: it is a secret.
          z.refine((token) => BOT_TOKEN.test(token), {
            message: 'is not a bot token: @BotFather gives one as "<bot id>:<secret>" (e.g. 123456789:AAE…); store it with `aleph keys set telegram-token` and write token = "keys:telegram-token"',
          }),
        ),
      )
      .check(
        z.describe('the bot token from @BotFather, usually "keys:telegram-token" (aleph keys set telegram-token) or "${TELEGRAM_BOT_TOKEN}"; required unless enabled = false'),
        // No default and not "required" in the JSON Schema (an absent table must stay valid): the example is what editors and templates can show.
        z.meta({ examples: ["keys:telegram-token"] }),
      ),
    api_root: z
      ._default(
        z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL of a Bot API server, e.g. "https://api.telegram.org"' }).check(
          z.refine((url) => !/\/bot[^/]*\/?$/.test(url) && !url.includes("?") && !url.includes("#"), {
            message: 'the server\'s root only (e.g. "https://api.telegram.org"), without /bot<token>, query or fragment',
          }),
        ),
        DEFAULT_API_ROOT,
      )
      .check(z.describe("the Bot API server (a local telegram-bot-api server, or a test fake)")),
    poll_timeout: z
      ._default(z.number().check(z.int(), z.minimum(1), z.maximum(50)), 30)
      .check(z.describe("seconds one getUpdates long poll waits for a message before asking again")),
  })
  .check(
    z.superRefine((table, issues) => {
      if (table.enabled && table.token === undefined) {
        issues.addIssue({
          code: "custom",
          path: ["token"],
          message: 'is required: create a bot with @BotFather, store its token with `aleph keys set telegram-token` and write token = "keys:telegram-token" (or set enabled = false)',
        });
      }
    }),
  );

export const telegramConfigSchema = z.optional(tableSchema);

export type TelegramConfig = z.output<typeof tableSchema>;

/** The parts of the config a running channel depends on; a change to any of them restarts it. */
export interface TelegramChannelSettings {
  token: string;
  apiRoot: string;
  pollTimeoutSeconds: number;
  routing: ChannelRouting;
}

/** The channel to run, or undefined when Telegram is not configured or switched off. */
export function channelSettings(config: TelegramConfig | undefined): TelegramChannelSettings | undefined {
  if (!config || !config.enabled || config.token === undefined) return undefined;
  return {
    token: config.token,
    apiRoot: config.api_root.replace(/\/+$/, ""),
    pollTimeoutSeconds: config.poll_timeout,
    routing: { agent: config.agent, allow_from: config.allow_from, allow_groups: config.allow_groups, group_trigger: config.group_trigger },
  };
}
