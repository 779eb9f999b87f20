import { describe, expect, it } from "vitest";
import { validateWithSchema } from "@aleph/plugin-sdk";
import { discordConfigSchema, routingOf, type DiscordConfig } from "./config.js";

const validate = (value: unknown) => validateWithSchema(discordConfigSchema, value);
const issuesOf = async (value: unknown) => {
  const result = await validate(value);
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
};
const parsed = async (value: unknown): Promise<DiscordConfig> => {
  const result = await validate(value);
  if (!result.ok) throw new Error(result.issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n"));
  return result.value as DiscordConfig;
};

const TOKEN = "MTE5MDAwMDAwMDAwMDAwMDAwMQ.FAKE00.aleph-fake-discord-server-token";
const GUILD = "1190000000000000100";
const USER = "1190000000000000200";

describe("the [interfaces.discord] schema", () => {
  it("fills in the defaults for an empty section: no token (the plugin then does nothing), Discord's API, the routing defaults", async () => {
    expect(await parsed({})).toEqual({
      enabled: true,
      agent: "main",
      allow_from: [],
      allow_groups: [],
      group_trigger: "mention",
      guilds: [],
      api_base: "https://discord.com/api",
      connect_timeout_seconds: 30,
    });
  });

  it("takes a full section as given", async () => {
    const section = {
      enabled: true,
      agent: "helper",
      allow_from: [USER, "@alice.b_2"],
      allow_groups: [GUILD],
      group_trigger: "all",
      token: TOKEN,
      guilds: ["119000000000000010"],
      api_base: "http://127.0.0.1:4000/api",
      gateway_url: "ws://127.0.0.1:4000",
      connect_timeout_seconds: 5,
    };
    expect(await parsed(section)).toEqual(section);
  });

  it("refuses bad ids, naming the key and the entry", async () => {
    expect(await issuesOf({ guilds: ["my-server"] })).toEqual([expect.stringMatching(/^guilds\.0: not a Discord guild id \(17 to 20 digits/)]);
    expect(await issuesOf({ guilds: [1190000000000000100] })).toEqual([expect.stringMatching(/^guilds\.0:/)]);
    expect(await issuesOf({ guilds: "1190000000000000100" })).toEqual([expect.stringMatching(/^guilds:/)]);
    expect(await issuesOf({ allow_from: [USER, "alice"] })).toEqual([expect.stringMatching(/^allow_from\.1: "alice" is not a Discord user id .* or "@username"/)]);
    expect(await issuesOf({ allow_from: ["@Alice"] })).toEqual([expect.stringMatching(/^allow_from\.0: "@Alice" is not/)]);
    expect(await issuesOf({ allow_from: ["12345"] })).toEqual([expect.stringMatching(/^allow_from\.0:/)]);
    expect(await issuesOf({ allow_groups: ["-100123456"] })).toEqual([expect.stringMatching(/^allow_groups\.0: "-100123456" is not a Discord guild id/)]);
  });

  it("refuses bad URLs: another scheme, a versioned REST base, a gateway URL with a query", async () => {
    expect(await issuesOf({ api_base: "ftp://discord.com/api" })).toEqual([expect.stringMatching(/^api_base: an http:\/\/ or https:\/\/ URL/)]);
    expect(await issuesOf({ api_base: "discord.com/api" })).toEqual([expect.stringMatching(/^api_base:/)]);
    expect(await issuesOf({ api_base: "https://discord.com/api/v10" })).toEqual([expect.stringMatching(/^api_base: names an API version: leave it off/)]);
    expect(await issuesOf({ gateway_url: "https://gateway.discord.gg" })).toEqual([expect.stringMatching(/^gateway_url: a ws:\/\/ or wss:\/\/ URL/)]);
    expect(await issuesOf({ gateway_url: "wss://gateway.discord.gg/?v=10&encoding=json" })).toEqual([expect.stringMatching(/^gateway_url: must have no query/)]);
    expect(await issuesOf({ connect_timeout_seconds: 0 })).toEqual([expect.stringMatching(/^connect_timeout_seconds:/)]);
  });

  it("refuses a malformed token without ever quoting it", async () => {
    const prefixed = await issuesOf({ token: `Bot ${TOKEN}` });
    expect(prefixed).toEqual([expect.stringMatching(/^token: starts with "Bot ": give the token alone/)]);
    const spaced = await issuesOf({ token: `${TOKEN} ` });
    expect(spaced).toEqual([expect.stringMatching(/^token: contains whitespace/)]);
    expect(await issuesOf({ token: "" })).toEqual([expect.stringMatching(/^token: is empty/)]);
    expect([...prefixed, ...spaced].join("\n")).not.toContain(TOKEN);
  });

  it("refuses unknown keys and wrong types, routing keys included", async () => {
    expect(await issuesOf({ tokn: TOKEN })).toEqual([expect.stringMatching(/tokn/)]);
    expect(await issuesOf({ group_trigger: "always" })).toEqual([expect.stringMatching(/^group_trigger:/)]);
    expect(await issuesOf({ enabled: "yes" })).toEqual([expect.stringMatching(/^enabled:/)]);
  });
});

describe("routingOf", () => {
  it("merges guilds into allow_groups (one list under two names), without duplicates", async () => {
    const config = await parsed({ token: TOKEN, allow_from: [USER], allow_groups: [GUILD], guilds: [GUILD, "1190000000000000999"], group_trigger: "all", agent: "helper" });
    expect(routingOf(config)).toEqual({ agent: "helper", allow_from: [USER], allow_groups: [GUILD, "1190000000000000999"], group_trigger: "all" });
  });
});
