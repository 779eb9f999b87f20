import { describe, expect, it } from "vitest";
import { channelSettings, telegramConfigSchema } from "../src/config.js";

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

const issues = (table: unknown) => {
  const result = telegramConfigSchema.safeParse(table);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("[interfaces.telegram]", () => {
  it("takes a token with the routing keys and defaults", () => {
    const config = telegramConfigSchema.parse({ token: TOKEN, allow_from: ["123456789", "@ada_lovelace"], allow_groups: ["-1001234567890", "-42"] });
    expect(config).toEqual({
      enabled: true,
      agent: "main",
      allow_from: ["123456789", "@ada_lovelace"],
      allow_groups: ["-1001234567890", "-42"],
      group_trigger: "mention",
      token: TOKEN,
      api_root: "https://api.telegram.org",
      poll_timeout: 30,
    });
    expect(channelSettings(config)).toEqual({
      token: TOKEN,
      apiRoot: "https://api.telegram.org",
      pollTimeoutSeconds: 30,
      routing: { agent: "main", allow_from: ["123456789", "@ada_lovelace"], allow_groups: ["-1001234567890", "-42"], group_trigger: "mention" },
    });
  });

  it("reads an absent table as not configured, and enabled = false as off, without a token", () => {
    expect(telegramConfigSchema.parse(undefined)).toBeUndefined();
    expect(channelSettings(undefined)).toBeUndefined();
    const off = telegramConfigSchema.parse({ enabled: false });
    expect(off?.enabled).toBe(false);
    expect(channelSettings(off)).toBeUndefined();
    // Switched off, a token is still checked but not used.
    expect(channelSettings(telegramConfigSchema.parse({ enabled: false, token: TOKEN }))).toBeUndefined();
  });

  it("takes a local Bot API server and drops a trailing slash", () => {
    const config = telegramConfigSchema.parse({ token: TOKEN, api_root: "http://127.0.0.1:8081/", poll_timeout: 1 });
    expect(channelSettings(config)).toMatchObject({ apiRoot: "http://127.0.0.1:8081", pollTimeoutSeconds: 1 });
  });

  it.each([
    [{}, /^token: is required: create a bot with @BotFather, store its token with `aleph keys set telegram-token`/],
    [{ enabled: true, allow_from: ["@ada"] }, /^token: is required/],
    [{ token: "BOT_TOKEN" }, /^token: is not a bot token: @BotFather gives one as "<bot id>:<secret>"/],
    [{ token: "" }, /^token: is not a bot token/],
    [{ token: TOKEN, allow_from: ["+1234567890"] }, /^allow_from\.0: "\+1234567890" looks like a phone number, but Telegram never tells a bot a sender's phone number.*numeric Telegram user id.*@userinfobot.*aleph interfaces pair <code>/],
    [{ token: TOKEN, allow_from: ["@ada", "+44 20 7946 0958"] }, /^allow_from\.1: "\+44 20 7946 0958" looks like a phone number/],
    [{ token: TOKEN, allow_from: ["(555) 123-4567"] }, /^allow_from\.0: "\(555\) 123-4567" looks like a phone number/],
    [{ token: TOKEN, allow_from: ["ada_lovelace"] }, /^allow_from\.0: "ada_lovelace" is not a user id nor an @username: write "@ada_lovelace"/],
    [{ token: TOKEN, allow_from: ["-1001234567890"] }, /^allow_from\.0: "-1001234567890" is a group chat id \(negative\): put it in allow_groups/],
    [{ token: TOKEN, allow_from: ["ada@example.com"] }, /^allow_from\.0: "ada@example.com" is neither a Telegram user id nor an @username/],
    [{ token: TOKEN, allow_from: [""] }, /^allow_from\.0:/],
    [{ token: TOKEN, allow_groups: ["1234"] }, /^allow_groups\.0: "1234" is a user id \(positive\): put it in allow_from/],
    [{ token: TOKEN, allow_groups: ["@my_group"] }, /^allow_groups\.0: "@my_group" is not a Telegram group chat id/],
    [{ token: TOKEN, api_root: "api.telegram.org" }, /^api_root: an http:\/\/ or https:\/\/ URL of a Bot API server/],
    [{ token: TOKEN, api_root: "ftp://api.telegram.org" }, /^api_root: an http:\/\/ or https:\/\/ URL/],
    [{ token: TOKEN, api_root: `https://api.telegram.org/bot${TOKEN}` }, /^api_root: the server's root only .* without \/bot<token>/],
    [{ token: TOKEN, poll_timeout: 0 }, /^poll_timeout:/],
    [{ token: TOKEN, poll_timeout: 51 }, /^poll_timeout:/],
    [{ token: TOKEN, poll_timeout: 2.5 }, /^poll_timeout:/],
    [{ token: TOKEN, agent: "../x" }, /^agent:/],
    [{ token: TOKEN, group_trigger: "always" }, /^group_trigger:/],
    [{ token: TOKEN, tokn: TOKEN }, /Unrecognized key: "tokn"/],
  ])("refuses %j, naming the key and the fix", (table, expected) => {
    expect(issues(table).join("\n")).toMatch(expected);
  });

  it("never quotes the token in an error", () => {
    const bad = "12345:short";
    const messages = issues({ token: bad }).join("\n");
    expect(messages).toMatch(/^token: is not a bot token/);
    expect(messages).not.toContain(bad);
  });
});
