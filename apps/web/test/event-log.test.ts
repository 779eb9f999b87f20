import { describe, expect, test } from "vitest";
import { EventLog } from "../src/events/event-log.js";
import { RpcClient } from "../src/rpc/client.js";
import { FakeNetwork, ManualTimers } from "./fake-socket.js";

function setup(capacity = 3) {
  const network = new FakeNetwork();
  const timers = new ManualTimers();
  const client = new RpcClient({ url: "ws://127.0.0.1:1/", createSocket: network.create, timers, random: () => 0 });
  let now = 0;
  const log = new EventLog(client, capacity, () => ++now);
  log.start();
  client.start();
  return { network, timers, client, log };
}

const event = (subscription: string | undefined, name: string, payload: unknown = {}) => ({ jsonrpc: "2.0", method: "event", params: { subscription, event: name, payload } });

describe("EventLog", () => {
  test("subscribes when the connection opens, and again after every reconnect (subscriptions end with the connection)", async () => {
    const { network, timers, log } = setup();
    network.last.accept();
    expect(network.last.frames()).toEqual([{ jsonrpc: "2.0", id: 1, method: "events.subscribe", params: {} }]);
    network.last.answer(1, { subscription: "s1" });
    network.last.drop();
    timers.fire();
    network.last.accept();
    expect(network.last.frames().map((f) => f.method)).toEqual(["events.subscribe"]);
    network.last.answer(2, { subscription: "s9" });
    await Promise.resolve();
    network.last.deliver(event("s9", "plugin.loaded"));
    expect(log.items.map((i) => i.event)).toEqual(["plugin.loaded"]);
  });

  test("keeps the newest first and at most `capacity`", async () => {
    const { network, log } = setup(3);
    network.last.accept();
    network.last.answer(1, { subscription: "s1" });
    await Promise.resolve();
    for (const name of ["a", "b", "c", "d", "e"]) network.last.deliver(event("s1", name, { name }));
    expect(log.items.map((i) => i.event)).toEqual(["e", "d", "c"]);
    expect(log.items.map((i) => i.n)).toEqual([5, 4, 3]);
    expect(log.received).toBe(5);
    expect(log.items[0]).toMatchObject({ payload: { name: "e" }, at: 5 });
  });

  test("events of another subscription and malformed ones are left out", async () => {
    const { network, log } = setup();
    network.last.accept();
    network.last.answer(1, { subscription: "mine" });
    await Promise.resolve();
    network.last.deliver(event("theirs", "x"));
    network.last.deliver({ jsonrpc: "2.0", method: "event", params: { subscription: "mine" } });
    network.last.deliver({ jsonrpc: "2.0", method: "event" });
    network.last.deliver(event("mine", "kept"));
    expect(log.items.map((i) => i.event)).toEqual(["kept"]);
  });

  test("a refused subscribe is kept to show, and listeners hear of it", async () => {
    const { network, log } = setup();
    let changes = 0;
    log.onChange(() => changes++);
    network.last.accept();
    network.last.deliver({ jsonrpc: "2.0", id: 1, error: { code: -32000, message: "the bus is gone", data: { code: "ALEPH_E_UNAVAILABLE" } } });
    await new Promise((r) => setTimeout(r, 0));
    expect(log.subscribeError).toMatchObject({ message: "the bus is gone" });
    expect(changes).toBe(1);
  });
});
