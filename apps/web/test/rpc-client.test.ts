import { describe, expect, test, vi } from "vitest";
import { backoffDelay } from "../src/rpc/backoff.js";
import { gatewaySocketUrl, RpcClient, type ConnectionState } from "../src/rpc/client.js";
import { CONNECTION_LOST, NOT_CONNECTED, RpcError } from "../src/rpc/errors.js";
import { FakeNetwork, ManualTimers } from "./fake-socket.js";

const BACKOFF = { baseMs: 100, maxMs: 1000 };

function setup() {
  const network = new FakeNetwork();
  const timers = new ManualTimers();
  const invalid: string[] = [];
  const states: ConnectionState[] = [];
  const client = new RpcClient({
    url: "ws://127.0.0.1:18790/",
    createSocket: network.create,
    timers,
    backoff: BACKOFF,
    random: () => 0.5,
    now: () => 1_000,
    onInvalidFrame: (reason) => invalid.push(reason),
  });
  client.onState((state) => states.push(state));
  return { network, timers, invalid, states, client };
}

/** A started client whose first socket is open. */
function connected() {
  const s = setup();
  s.client.start();
  s.network.last.accept();
  return s;
}

describe("RpcClient: requests and responses", () => {
  test("each request gets its own answer by id, whatever order the answers come in", async () => {
    const { client, network } = connected();
    const status = client.request("status");
    const plugins = client.request("plugins.list", { verbose: true });
    const [first, second] = network.last.frames();
    expect(first).toEqual({ jsonrpc: "2.0", id: 1, method: "status" });
    expect(second).toEqual({ jsonrpc: "2.0", id: 2, method: "plugins.list", params: { verbose: true } });
    network.last.answer(2, [{ id: "agent" }]);
    network.last.answer(1, { version: "1.2.3" });
    await expect(status).resolves.toEqual({ version: "1.2.3" });
    await expect(plugins).resolves.toEqual([{ id: "agent" }]);
  });

  test("an error answer rejects with an RpcError that reads out the Aleph code and fix", async () => {
    const { client, network } = connected();
    const call = client.request("memory.search", { query: "x" });
    network.last.deliver({ jsonrpc: "2.0", id: 1, error: { code: -32000, message: "memory is not running", data: { code: "ALEPH_E_UNAVAILABLE", fix: "enable the memory plugin" } } });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: -32000, message: "memory is not running", alephCode: "ALEPH_E_UNAVAILABLE", fix: "enable the memory plugin" });
  });

  test("a rate-limit answer carries when to retry", async () => {
    const { client, network } = connected();
    const call = client.request("status");
    network.last.deliver({ jsonrpc: "2.0", id: 1, error: { code: -32029, message: "rate limited", data: { retryAfterMs: 250 } } });
    await expect(call).rejects.toMatchObject({ retryAfterMs: 250 });
  });

  test("a batch answer (an array) settles every call it holds", async () => {
    const { client, network } = connected();
    const a = client.request("status");
    const b = client.request("agents.list");
    network.last.deliver([
      { jsonrpc: "2.0", id: 2, result: ["main"] },
      { jsonrpc: "2.0", id: 1, error: { code: -32601, message: "method not found" } },
    ]);
    await expect(a).rejects.toMatchObject({ code: -32601 });
    await expect(b).resolves.toEqual(["main"]);
  });

  test("a call while not connected fails at once with NOT_CONNECTED and sends nothing", async () => {
    const { client, network } = setup();
    await expect(client.request("status")).rejects.toMatchObject({ code: NOT_CONNECTED });
    client.start();
    await expect(client.request("status")).rejects.toMatchObject({ code: NOT_CONNECTED, message: expect.stringContaining("status was not sent") });
    expect(network.last.sent).toEqual([]);
  });

  test("notify sends a frame without an id and expects no answer", () => {
    const { client, network } = connected();
    expect(client.notify("events.unsubscribe", { subscription: "s1" })).toBe(true);
    expect(network.last.frames()).toEqual([{ jsonrpc: "2.0", method: "events.unsubscribe", params: { subscription: "s1" } }]);
  });
});

describe("RpcClient: notifications", () => {
  test("each notification reaches the handlers of its method only; an unsubscribed handler gets nothing more", () => {
    const { client, network } = connected();
    const chat: unknown[] = [];
    const events: unknown[] = [];
    const off = client.onNotification("chat.event", (p) => chat.push(p));
    client.onNotification("event", (p) => events.push(p));
    network.last.deliver({ jsonrpc: "2.0", method: "chat.event", params: { seq: 1 } });
    network.last.deliver({ jsonrpc: "2.0", method: "event", params: { event: "plugin.loaded" } });
    off();
    network.last.deliver({ jsonrpc: "2.0", method: "chat.event", params: { seq: 2 } });
    expect(chat).toEqual([{ seq: 1 }]);
    expect(events).toEqual([{ event: "plugin.loaded" }]);
  });

  test("a handler that throws does not keep the notification from the others", () => {
    const { client, network } = connected();
    const seen: unknown[] = [];
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    client.onNotification("event", () => {
      throw new Error("a broken view");
    });
    client.onNotification("event", (p) => seen.push(p));
    network.last.deliver({ jsonrpc: "2.0", method: "event", params: { n: 1 } });
    expect(seen).toEqual([{ n: 1 }]);
    expect(quiet).toHaveBeenCalledOnce();
    quiet.mockRestore();
  });

  test("frames that are not JSON-RPC are reported and skipped; the connection goes on", async () => {
    const { client, network, invalid } = connected();
    const call = client.request("status");
    network.last.deliver("{not json");
    network.last.deliver({ jsonrpc: "1.0", id: 1, result: "old protocol" });
    network.last.deliver({ jsonrpc: "2.0", id: 99, result: "nobody asked" });
    network.last.deliver({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
    network.last.onmessage?.({ data: new Uint8Array([1, 2]) });
    network.last.answer(1, "ok");
    await expect(call).resolves.toBe("ok");
    expect(invalid).toEqual([
      expect.stringMatching(/^not JSON: \{not json/),
      expect.stringMatching(/lacks "jsonrpc": "2.0"/),
      expect.stringMatching(/a result for no waiting call \(id 99\)/),
      expect.stringMatching(/an error for no waiting call \(id null\): parse error/),
      expect.stringMatching(/a binary frame/),
    ]);
    expect(client.state.status).toBe("open");
  });
});

describe("RpcClient: connection and reconnect", () => {
  test("a close fails the waiting calls with CONNECTION_LOST, then the client reconnects after a growing backoff that resets once open", async () => {
    const { client, network, timers, states } = connected();
    const call = client.request("chat.send", { message: "hi" });
    network.last.drop(1012, "gateway restarting");
    await expect(call).rejects.toMatchObject({ code: CONNECTION_LOST, message: expect.stringContaining("code 1012: gateway restarting") });
    expect(states.at(-1)).toEqual({ status: "waiting", attempt: 1, delayMs: backoffDelay(1, BACKOFF, () => 0.5), retryAt: 1_000 + backoffDelay(1, BACKOFF, () => 0.5), lastClose: { code: 1012, reason: "gateway restarting", wasOpen: true } });
    expect(network.sockets).toHaveLength(1);

    timers.fire();
    expect(network.sockets).toHaveLength(2);
    expect(client.state).toEqual({ status: "connecting", attempt: 1 });
    network.last.refuse();
    expect(client.state).toMatchObject({ status: "waiting", attempt: 2, lastClose: { code: 1006, wasOpen: false } });
    expect(timers.delays()).toEqual([backoffDelay(2, BACKOFF, () => 0.5)]);
    expect(backoffDelay(2, BACKOFF, () => 0.5)).toBeGreaterThan(backoffDelay(1, BACKOFF, () => 0.5));

    timers.fire();
    network.last.accept();
    expect(client.state).toEqual({ status: "open" });
    const again = client.request("status");
    network.last.answer(1 + 1, { version: "1" }); // ids keep counting across connections
    await expect(again).resolves.toEqual({ version: "1" });

    network.last.drop();
    expect(client.state).toMatchObject({ status: "waiting", attempt: 1 });
  });

  test("stop() closes for good: the socket is closed with 1000, no retry is scheduled, calls fail", async () => {
    const { client, network, timers } = connected();
    const call = client.request("status");
    client.stop();
    await expect(call).rejects.toMatchObject({ code: CONNECTION_LOST });
    expect(network.last.closedByClient).toEqual({ code: 1000, reason: "page closed the connection" });
    expect(timers.pending.size).toBe(0);
    expect(client.state).toEqual({ status: "idle" });
    expect(network.sockets).toHaveLength(1);
  });

  test("stop() while waiting cancels the retry", () => {
    const { client, network, timers } = connected();
    network.last.drop();
    expect(timers.pending.size).toBe(1);
    client.stop();
    expect(timers.pending.size).toBe(0);
    expect(network.sockets).toHaveLength(1);
  });

  test("retryNow() connects at once while waiting, and does nothing otherwise", () => {
    const { client, network, timers } = connected();
    client.retryNow();
    expect(network.sockets).toHaveLength(1);
    network.last.drop();
    client.retryNow();
    expect(network.sockets).toHaveLength(2);
    expect(timers.pending.size).toBe(0);
  });

  test("events of a socket the client has left behind are ignored", () => {
    const { client, network } = connected();
    const old = network.last;
    old.drop();
    client.retryNow();
    network.last.accept();
    const seen: unknown[] = [];
    client.onNotification("event", (p) => seen.push(p));
    old.deliver({ jsonrpc: "2.0", method: "event", params: { stale: true } });
    old.onclose?.({ code: 1006, reason: "" });
    expect(seen).toEqual([]);
    expect(client.state).toEqual({ status: "open" });
  });
});

describe("gatewaySocketUrl", () => {
  test("is the page's origin and directory with ws: for http and wss: for https", () => {
    expect(gatewaySocketUrl({ href: "http://127.0.0.1:18790/#/status" })).toBe("ws://127.0.0.1:18790/");
    expect(gatewaySocketUrl({ href: "https://aleph.example/control/index.html?x=1#/chat" })).toBe("wss://aleph.example/control/");
  });
});
