/*
 * Channels coming and going, and messages that come twice: durable de-duplication (again, at the
 * same time, across a reload of the plugin), a channel stopping during a turn (not answered, not
 * recorded: the redelivery answers it once), start failures with retries, dispose waiting for the
 * adapter's stop, names, send() for other plugins, a reply that cannot be sent, and conformance.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AlephError, type ChannelsService } from "@aleph/plugin-sdk";
import { runPluginConformance } from "@aleph/testing";
import { FakePlatform } from "./fake-platform.js";
import { channelsDir, cleanup, logLine, pluginDir, routing, setup, until } from "./kernel.js";

afterEach(cleanup);

const allowed = { allow_from: ["42"] };
const ledgerOf = (root: string, channel = "fake") => (JSON.parse(readFileSync(join(root, "data", "channels", "handled", `${channel}.json`), "utf8")) as { ids: string[] }).ids;

describe("de-duplication", () => {
  it("answers a message once: delivered again, delivered twice at once, and again after the plugin reloads", async () => {
    const { kernel, model, platform } = await setup({ routing: allowed, turns: [{ text: "one" }, { text: "two", firstTokenDelayMs: 200 }] });
    await platform.say({ messageId: "m-1", text: "first" });
    await platform.say({ messageId: "m-1", text: "first" });
    expect(platform.sent.map((s) => s.text)).toEqual(["one"]);

    await Promise.all([platform.say({ messageId: "m-2", text: "second" }), platform.say({ messageId: "m-2", text: "second" })]);
    expect(platform.sent.map((s) => s.text)).toEqual(["one", "two"]);
    expect(model.requests).toHaveLength(2);
    expect(ledgerOf(kernel.root)).toEqual(["m-1", "m-2"]);

    // A reload forgets everything in memory; the ledger on disk remembers.
    const mark = kernel.events.length;
    await kernel.reload("channels");
    expect(kernel.plugin("channels")).toMatchObject({ status: "active", generation: 2 });
    await kernel.waitFor("channel.status", (s) => s.name === "fake" && s.state === "running" && kernel.events.findIndex((e) => e.payload === (s as unknown)) >= mark);
    await platform.say({ messageId: "m-1", text: "first" });
    await platform.say({ messageId: "m-2", text: "second" });
    expect(platform.sent.map((s) => s.text)).toEqual(["one", "two"]);
    expect(model.requests).toHaveLength(2);
  });

  it("keeps the last 1000 ids: the oldest goes when a new one comes", async () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-channels-ledger-"));
    mkdirSync(join(root, "data", "channels", "handled"), { recursive: true });
    const seeded = Array.from({ length: 1000 }, (_, i) => `old-${i + 1}`);
    writeFileSync(join(root, "data", "channels", "handled", "fake.json"), JSON.stringify({ version: 1, ids: seeded }));
    const { model, platform } = await setup({ root, routing: allowed, turns: [{ text: "new" }, { text: "old again" }] });
    await platform.say({ messageId: "old-1000", text: "seen" });
    expect(model.requests).toEqual([]);
    await platform.say({ messageId: "new-1", text: "unseen" });
    const ids = ledgerOf(root);
    expect(ids).toHaveLength(1000);
    expect([ids[0], ids.at(-1)]).toEqual(["old-2", "new-1"]);
    await platform.say({ messageId: "old-1", text: "forgotten" });
    expect(platform.sent.map((s) => s.text)).toEqual(["new", "old again"]);
  });

  it("drops a malformed message (the adapter's bug) with a warning, and ignores a message without text", async () => {
    const { kernel, model, platform } = await setup({ routing: allowed });
    await platform.deliverRaw({ ...platform.message(), messageId: "" });
    await platform.deliverRaw({ ...platform.message(), kind: "channel" as "dm" });
    await platform.deliverRaw({ ...platform.message(), peer: {} as never });
    await platform.say({ text: "   " });
    expect(platform.sent).toEqual([]);
    expect(model.requests).toEqual([]);
    await logLine(kernel.root, /"problem":"peer.id must be a non-empty string".*"msg":"message dropped: the channel delivered a malformed message"/);
  });
});

describe("a channel that stops during a turn", () => {
  it("leaves the message unanswered and unrecorded (deliver rejects); delivered again later, it is answered once", async () => {
    const { kernel, model, platform, channels } = await setup({ routing: allowed, noChannel: true, turns: [{ text: "too late", firstTokenDelayMs: 20_000 }, { text: "Here it is." }] });
    const first = channels.register(platform, { plugin: "test", routing: routing(allowed) });
    await until(() => platform.running, "the channel to run");
    const delivery = platform.say({ messageId: "r-1", text: "long question" });
    const outcome = delivery.then(
      () => "resolved",
      (error: AlephError) => error.code,
    );
    await until(() => model.requests.length === 1, "the model call");
    first.dispose();
    await first.stopped();
    expect(await outcome).toBe("ALEPH_E_CANCELLED");
    expect(platform.sent).toEqual([]);

    // Started again (a restart), the platform redelivers: answered once.
    const second = channels.register(platform, { plugin: "test", routing: routing(allowed) });
    await until(() => platform.running, "the channel to run again");
    await platform.say({ messageId: "r-1", text: "long question" });
    expect(platform.sent.map((s) => s.text)).toEqual(["Here it is."]);
    expect(ledgerOf(kernel.root)).toEqual(["r-1"]);
    second.dispose();
    await second.stopped();
  });
});

describe("registration", () => {
  it("a start that fails is retried with backoff (reconnecting, with the error), then runs", async () => {
    const { kernel, channels } = await setup({ noChannel: true });
    const platform = new FakePlatform("flaky");
    platform.failStarts = [new Error("platform unreachable: ECONNREFUSED")];
    const registration = channels.register(platform, { plugin: "test", routing: routing() });
    const reconnecting = await kernel.waitFor("channel.status", (s) => s.name === "flaky" && s.state === "reconnecting");
    expect(reconnecting).toMatchObject({ plugin: "test", error: "platform unreachable: ECONNREFUSED" });
    expect(platform.stops).toBe(1); // what the failed start left is stopped before the retry
    await kernel.waitFor("channel.status", (s) => s.name === "flaky" && s.state === "running");
    expect(platform.starts).toBe(2);
    expect(channels.list()).toEqual([{ name: "flaky", plugin: "test", state: "running", botName: "@aleph_bot" }]);
    registration.dispose();
    await registration.stopped();
  });

  it("a start refused for good (ALEPH_E_CONFIG: a wrong token) leaves the channel failed, with its error", async () => {
    const { kernel, channels } = await setup({ noChannel: true });
    const platform = new FakePlatform("badtoken");
    platform.failStarts = [new AlephError("ALEPH_E_CONFIG", "the bot token was refused (401)", { fix: "check [interfaces.badtoken] token" })];
    channels.register(platform, { plugin: "test", routing: routing() });
    const failed = await kernel.waitFor("channel.status", (s) => s.name === "badtoken" && s.state === "failed");
    expect(failed.error).toBe("the bot token was refused (401)");
    expect(channels.list()).toEqual([expect.objectContaining({ name: "badtoken", state: "failed", error: "the bot token was refused (401)" })]);
    expect(platform.starts).toBe(1);
  });

  it("dispose stops the adapter and stopped() resolves when its stop has; a channel of the same name starts only then", async () => {
    const { kernel, channels } = await setup({ noChannel: true });
    const old = new FakePlatform("bot");
    const registration = channels.register(old, { plugin: "test", routing: routing() });
    await until(() => old.running, "the first channel to run");
    let release!: () => void;
    old.stopGate = new Promise((resolve) => (release = resolve));

    registration.dispose();
    let stopped = false;
    void registration.stopped().then(() => (stopped = true));
    const next = new FakePlatform("bot");
    const replacement = channels.register(next, { plugin: "test", routing: routing() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect(next.starts).toBe(0); // one poller per bot: the new one waits for the old one's stop
    expect(channels.list()).toEqual([expect.objectContaining({ name: "bot", state: "starting" })]);

    release();
    await registration.stopped();
    expect(old.stops).toBe(1);
    expect(kernel.eventsNamed("channel.status").filter((s) => s.name === "bot").map((s) => s.state)).toContain("stopped");
    await until(() => next.running, "the replacement to run");
    expect(next.starts).toBe(1);
    replacement.dispose();
    await replacement.stopped();
    expect(channels.list()).toEqual([]);
  });

  it("refuses a second channel of a name, a name that cannot be one, and an object that is not an adapter", async () => {
    const { channels } = await setup();
    expect(() => channels.register(new FakePlatform("fake"), { plugin: "other", routing: routing() })).toThrow(expect.objectContaining({ code: "ALEPH_E_DUPLICATE", message: 'channel "fake" is registered already (by plugin fake-channel)' }));
    for (const name of ["Telegram", "main", "cron", "", "a b"]) {
      expect(() => channels.register(new FakePlatform(name), { plugin: "x", routing: routing() })).toThrow(expect.objectContaining({ code: "ALEPH_E_CONFIG" }));
    }
    expect(() => channels.register({ name: "half" } as never, { plugin: "x", routing: routing() })).toThrow(expect.objectContaining({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/missing: start, stop, send, status/) }));
    expect(() => channels.register(new FakePlatform("routed"), { plugin: "x", routing: { ...routing(), agent: "../etc" } })).toThrow(expect.objectContaining({ code: "ALEPH_E_CONFIG", message: expect.stringMatching(/\[interfaces\.routed\] agent/) }));
    expect(() => channels.register(new FakePlatform("routed"), { plugin: "x", routing: { ...routing(), group_trigger: "sometimes" as "all" } })).toThrow(expect.objectContaining({ code: "ALEPH_E_CONFIG" }));
  });
});

describe("send() for other plugins", () => {
  it("sends through a running channel and announces it; refuses an unknown channel, an empty text, a channel that is down", async () => {
    const { kernel, platform, channels } = await setup({ noChannel: false });
    const receipt = await channels.send("fake", "dm-42", "The backup finished.");
    expect(platform.sent).toEqual([{ chatId: "dm-42", text: "The backup finished.", messageIds: receipt.messageIds }]);
    expect(kernel.eventsNamed("message.sent")).toEqual([{ channel: "fake", chatId: "dm-42", messageIds: receipt.messageIds }]);
    await expect(channels.send("nope", "1", "x")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", fix: expect.stringMatching(/aleph interfaces list/) });
    await expect(channels.send("fake", "1", "  ")).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    const down = new FakePlatform("down");
    down.failStarts = [new AlephError("ALEPH_E_CONFIG", "no token")];
    (channels as ChannelsService).register(down, { plugin: "x", routing: routing() });
    await kernel.waitFor("channel.status", (s) => s.name === "down" && s.state === "failed");
    await expect(channels.send("down", "1", "x")).rejects.toMatchObject({ code: "ALEPH_E_CHANNEL_DOWN", message: 'channel "down" is failed: no token' });
  });
});

describe("a reply that cannot be sent", () => {
  it("makes deliver reject (the platform redelivers, the agent answers from its record) up to 3 times, then the message is given up", async () => {
    const { kernel, model, platform } = await setup({ routing: allowed, turns: [{ text: "the answer" }] });
    platform.sendFailure = new Error("platform said 502");
    await expect(platform.say({ messageId: "u-1", text: "q" })).rejects.toThrow("platform said 502");
    await expect(platform.say({ messageId: "u-1", text: "q" })).rejects.toThrow("platform said 502");
    await platform.say({ messageId: "u-1", text: "q" }); // given up: resolves, recorded
    expect(model.requests).toHaveLength(1); // the redeliveries got the stored answer
    expect(ledgerOf(kernel.root)).toEqual(["u-1"]);
    platform.sendFailure = undefined;
    await platform.say({ messageId: "u-1", text: "q" });
    expect(platform.sent).toEqual([]);
  });
});

it("passes the plugin conformance run (load, reload, unload, load: nothing leaks)", async () => {
  const result = await runPluginConformance(channelsDir, { plugins: [pluginDir("sessions"), pluginDir("providers"), pluginDir("agent")] });
  expect(result.checks.filter((c) => !c.ok)).toEqual([]);
});
