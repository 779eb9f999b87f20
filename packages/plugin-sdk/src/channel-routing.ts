import * as z from "zod/mini";

/*
 * The routing keys every `[interfaces.<name>]` table has (ChannelRouting in channels.ts). A channel
 * plugin's config schema spreads this shape beside its own keys, in one strict object, so a
 * misspelt key of either kind is an error naming it:
 *
 *   config: z.strictObject({ ...channelRoutingShape, token: z.string(), api_root: … })
 *
 * and hands the parsed routing keys to the registry (`channels.register(adapter, { routing })`).
 * Written with zod/mini (it composes with classic zod schemas: a third party's plugin spreads it
 * into a `z.object` from the SDK's `z` alike).
 *
 * Built in a pure-annotated function: every bundled plugin bundles this SDK, and a plugin that
 * does not use the shape must not build its schemas at import (bundlers drop an unused pure call).
 */
export const channelRoutingShape = /* @__PURE__ */ (() => ({
  enabled: z._default(z.boolean(), true).check(z.describe("false stops this channel (nothing received, nothing sent)")),
  agent: z._default(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)), "main").check(z.describe("the agent that answers this channel")),
  allow_from: z
    ._default(z.array(z.string().check(z.minLength(1))), [])
    .check(z.describe('peers answered: platform user ids or "@username"s; empty means nobody until paired (aleph interfaces pair <code>)')),
  allow_groups: z
    ._default(z.array(z.string().check(z.minLength(1))), [])
    .check(z.describe("groups whose members are all answered (Telegram group chat ids; on Discord, guild ids: `guilds` is the same list)")),
  group_trigger: z
    ._default(z.enum(["mention", "all"]), "mention")
    .check(z.describe('in a group, answer only when mentioned or replied to ("mention") or every message ("all")')),
}))();
