/*
 * Every method of docs/gateway.md against the real plugins: its answer, its refusal of bad params
 * (-32602 with the issues), and ALEPH_E_UNAVAILABLE when the plugin it needs is not running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { identityRef, sessionsRef } from "@aleph/plugin-sdk";
import { startGateway, stopAll, workspaceDir, type RpcTestClient } from "./harness.js";

afterEach(stopAll);

/** The JSON-RPC error of a call expected to fail. */
async function errorOf(client: RpcTestClient, method: string, params?: unknown) {
  const response = await client.call(method, params);
  expect(response.result, `${method} ${JSON.stringify(params)} should fail`).toBeUndefined();
  return response.error;
}

async function expectBadParams(client: RpcTestClient, method: string, params: unknown, path: string | RegExp) {
  const error = await errorOf(client, method, params);
  expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602);
  expect(error.data.issues.map((i: { path: string }) => i.path)).toContainEqual(typeof path === "string" ? path : expect.stringMatching(path));
}

describe("methods", () => {
  it("status, plugins.list and agents.list describe the kernel", async () => {
    const g = await startGateway({ extraPlugins: [workspaceDir] });
    const client = await g.connect();
    const status = await client.request("status");
    expect(status).toMatchObject({ version: "1.0.0", pid: process.pid, root: g.root, channels: [], connections: 1 });
    expect(Date.parse(status.startedAt)).toBeLessThanOrEqual(Date.now());
    expect(status.uptimeMs).toBeGreaterThan(0);
    const listed = await client.request("plugins.list");
    expect(listed.map((p: { id: string }) => p.id).sort()).toEqual(["gateway", "workspace"]);
    expect(status.plugins).toMatchObject({ active: 2, failed: 0, total: 2 });
    expect(await client.request("agents.list")).toEqual([{ id: "main", default: true }]);
    // Methods without params refuse some.
    await expectBadParams(client, "status", { verbose: true }, "verbose");
    await expectBadParams(client, "agents.list", [1], "");
  });

  it("agents.list without the workspace plugin: the default agent alone", async () => {
    const g = await startGateway();
    const client = await g.connect();
    expect(await client.request("agents.list")).toEqual([{ id: "main", default: true }]);
  });

  it("sessions.list|show and chats.list|read show a conversation; bad params are -32602 with the issues", async () => {
    const g = await startGateway({ turns: [{ text: "Hello from the agent." }] });
    const client = await g.connect();
    const sent = await client.request("chat.send", { message: "hello", idempotencyKey: "k1" });
    expect(sent).toMatchObject({ ok: true, text: "Hello from the agent." });

    const sessions = await client.request("sessions.list", {});
    expect(sessions).toEqual([expect.objectContaining({ key: "agent:main:main", agentId: "main", messageCount: 2 })]);
    expect(await client.request("sessions.list", { agentId: "other" })).toEqual([]);
    const shown = await client.request("sessions.show", { sessionKey: "agent:main:main" });
    expect(shown.session).toMatchObject({ key: "agent:main:main", messageCount: 2 });
    expect(shown.messages.map((m: { role: string; content: unknown }) => [m.role, m.content])).toEqual([
      ["user", "hello"],
      ["assistant", "Hello from the agent."],
    ]);
    expect((await client.request("sessions.show", { sessionKey: "agent:main:main", limit: 1 })).messages).toHaveLength(1);
    expect((await client.request("sessions.show", { sessionKey: "agent:main:main", before: 2 })).messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    expect(await errorOf(client, "sessions.show", { sessionKey: "agent:main:nobody:dm:x" })).toMatchObject({ code: -32000, data: { code: "ALEPH_E_NOT_FOUND" } });

    expect(await client.request("chats.list")).toEqual([expect.objectContaining({ chatId: "main-main", lastSeq: 2, count: 2 })]);
    const read = await client.request("chats.read", { chatId: "main-main" });
    expect(read.messages.map((m: { from: string; content: unknown }) => [m.from, m.content])).toEqual([
      ["gateway", "hello"],
      ["agent.main", "Hello from the agent."],
    ]);
    expect((await client.request("chats.read", { chatId: "main-main", after: 1, limit: 1 })).messages.map((m: { seq: number }) => m.seq)).toEqual([2]);

    await expectBadParams(client, "sessions.list", { limit: 0 }, "limit");
    await expectBadParams(client, "sessions.list", { limit: 501 }, "limit");
    await expectBadParams(client, "sessions.list", { limit: "10" }, "limit");
    await expectBadParams(client, "sessions.list", { agentId: "../x" }, "agentId");
    await expectBadParams(client, "sessions.list", { agent: "main" }, "");
    await expectBadParams(client, "sessions.show", {}, "sessionKey");
    await expectBadParams(client, "sessions.show", { sessionKey: "main" }, "sessionKey");
    await expectBadParams(client, "sessions.show", { sessionKey: "agent:main:main", limit: 1001 }, "limit");
    await expectBadParams(client, "sessions.show", { sessionKey: "agent:main:main", before: 0 }, "before");
    await expectBadParams(client, "chats.read", { chatId: "../../etc/passwd" }, "chatId");
    await expectBadParams(client, "chats.read", { chatId: "main-main", after: -1 }, "after");
    await expectBadParams(client, "chats.read", { chatId: "main-main", limit: 1001 }, "limit");
    await expectBadParams(client, "chats.list", { all: true }, "all");
    // The message of a bad-params error says where and what.
    expect((await errorOf(client, "sessions.show", { sessionKey: 7 })).message).toMatch(/^invalid params: sessionKey: /);
  });

  it("say ALEPH_E_UNAVAILABLE, with a fix, when the plugin a method needs is not running", async () => {
    const g = await startGateway();
    const client = await g.connect();
    for (const [method, params] of [
      ["sessions.list", {}],
      ["sessions.show", { sessionKey: "agent:main:main" }],
      ["chats.list", undefined],
      ["chats.read", { chatId: "main-main" }],
      ["memory.search", { query: "daughter" }],
      ["memory.add", { text: "The user's daughter is called Mia" }],
      ["identity.override", { sessionKey: "agent:main:main", soul: "Be brief." }],
      ["chat.send", { message: "hi", idempotencyKey: "k" }],
    ] as const) {
      const error = await errorOf(client, method, params);
      expect(error, method).toMatchObject({ code: -32000, data: { code: "ALEPH_E_UNAVAILABLE", fix: expect.stringContaining("aleph plugins list") } });
    }
    // Params are checked first: a bad call says what is wrong with it even then.
    await expectBadParams(client, "memory.search", { query: "" }, "query");
    await expectBadParams(client, "memory.search", { query: "x", limit: 1000 }, "limit");
    await expectBadParams(client, "memory.add", { text: "x", importance: 2 }, "importance");
    await expectBadParams(client, "memory.add", { text: "x", tags: "a" }, "tags");
    await expectBadParams(client, "memory.add", {}, "text");
  });

  it("identity.override sets a session's soul until cleared, or until the session is deleted", async () => {
    const g = await startGateway({ agent: true, extraPlugins: [workspaceDir] });
    const client = await g.connect();
    const identity = g.kernel.service(identityRef)!;
    const soulOf = (sessionKey: string) => identity.render({ agentId: "main", sessionKey });
    const key = "agent:main:main";
    expect(await client.request("identity.override", { sessionKey: key, soul: "You answer in haiku, always." })).toEqual({ sessionKey: key, active: true });
    expect(await soulOf(key)).toContain("You answer in haiku, always.");
    expect(await soulOf("agent:main:other:dm:x")).not.toContain("haiku");
    expect(await client.request("identity.override", { sessionKey: key, soul: null })).toEqual({ sessionKey: key, active: false });
    expect(await soulOf(key)).not.toContain("haiku");

    // The session goes: so does its override.
    await g.kernel.service(sessionsRef)!.append(key, { role: "user", content: "hi" });
    await client.request("identity.override", { sessionKey: key, soul: "You answer in haiku, always." });
    await g.kernel.service(sessionsRef)!.delete(key);
    expect(await soulOf(key)).not.toContain("haiku");
    // It lasts beyond the connection that set it.
    await client.request("identity.override", { sessionKey: key, soul: "You answer in haiku, always." });
    client.close();
    await client.closed;
    expect(await soulOf(key)).toContain("haiku");

    const other = await g.connect();
    await expectBadParams(other, "identity.override", { sessionKey: key }, "soul");
    await expectBadParams(other, "identity.override", { sessionKey: "nope", soul: null }, "sessionKey");
    await expectBadParams(other, "identity.override", { sessionKey: key, soul: 5 }, "soul");
  });

  it("events.subscribe pushes matching bus events, secrets redacted, until unsubscribed", async () => {
    const g = await startGateway({ turns: [{ text: "one" }, { text: "two" }] });
    const client = await g.connect();
    const all = await client.request("events.subscribe", { events: ["session.*", "test.secret"] });
    expect(all).toMatchObject({ subscription: expect.stringMatching(/^s\d+$/) });
    expect(all.events).toEqual(expect.arrayContaining(["session.created", "session.message.appended", "test.secret"]));
    const onlyChat = await client.request("events.subscribe", { events: ["chat.message.posted"] });

    await client.request("chat.send", { message: "hello", idempotencyKey: "k1" });
    const seen = (subscription: string) => client.notifications.filter((n) => n.method === "event" && n.params.subscription === subscription).map((n) => n.params.event);
    await client.waitFor(() => (seen(all.subscription).filter((e) => e === "session.message.appended").length >= 2 ? true : undefined));
    expect(seen(all.subscription)).toEqual(expect.arrayContaining(["session.created", "session.message.appended"]));
    expect(seen(all.subscription)).not.toContain("chat.message.posted");
    await client.waitFor(() => (seen(onlyChat.subscription).length >= 2 ? true : undefined));
    expect(new Set(seen(onlyChat.subscription))).toEqual(new Set(["chat.message.posted"]));

    // A payload's secret-named fields, and the gateway's token anywhere, never leave.
    await g.kernel.emit("test.secret", { api_key: "sk-live-123456", note: `the token is ${g.token}`, nested: { password: "hunter22" } });
    const secret = await client.waitFor(() => client.notifications.find((n) => n.method === "event" && n.params.event === "test.secret")?.params);
    expect(secret.payload).toEqual({ api_key: "[redacted]", note: "the token is [redacted]", nested: { password: "[redacted]" } });
    expect(JSON.stringify(client.frames)).not.toContain(g.token);

    expect(await client.request("events.unsubscribe", { subscription: all.subscription })).toEqual({ ok: true });
    const before = seen(all.subscription).length;
    await client.request("chat.send", { message: "again", idempotencyKey: "k2" });
    await client.waitFor(() => (seen(onlyChat.subscription).length >= 4 ? true : undefined));
    expect(seen(all.subscription)).toHaveLength(before);

    expect(await errorOf(client, "events.unsubscribe", { subscription: all.subscription })).toMatchObject({ code: -32000, data: { code: "ALEPH_E_NOT_FOUND" } });
    await expectBadParams(client, "events.subscribe", { events: [] }, "events");
    await expectBadParams(client, "events.subscribe", { events: ["bad pattern!"] }, "events.0");
    await expectBadParams(client, "events.subscribe", { events: ["plugin*"] }, "events.0");
    await expectBadParams(client, "events.subscribe", { events: "plugin.*" }, "events");
    await expectBadParams(client, "events.unsubscribe", {}, "subscription");
  });

  it("events.subscribe without events subscribes to every known event, and a connection holds at most 16 subscriptions", async () => {
    const g = await startGateway();
    const client = await g.connect();
    const everything = await client.request("events.subscribe");
    expect(everything.events).toEqual(expect.arrayContaining(["plugin.loaded", "kernel.ready", "message.received", "cron.run.finished"]));
    await g.kernel.emit("plugin.error", { id: "x", event: "y", message: "boom" });
    await client.waitFor(() => client.notifications.find((n) => n.method === "event" && n.params.event === "plugin.error"));
    for (let i = 1; i < 16; i++) await client.request("events.subscribe", { events: ["kernel.ready"] });
    expect(await errorOf(client, "events.subscribe", { events: ["kernel.ready"] })).toMatchObject({ code: -32000, data: { code: "ALEPH_E_LIMIT" } });
  });
});
