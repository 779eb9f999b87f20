/*
 * What a client can throw at the gateway (docs/gateway.md, "Limits"): frames that are not
 * JSON-RPC, frames too large, floods, batches, binary frames, too many connections, a client that
 * stops reading. Each gets an error or a close; the gateway stays up and other clients are served.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { refusedUpgrade, startGateway, stopAll, until } from "./harness.js";

afterEach(stopAll);

describe("bad frames", () => {
  it("answer malformed JSON, wrong types, unknown methods and binary frames with JSON-RPC errors, on a connection that stays open", async () => {
    const g = await startGateway();
    const client = await g.connect();
    const next = async (frame: string | Buffer, binary = false) => {
      const count = client.frames.length;
      client.send(frame, { binary });
      return client.waitFor(() => client.frames[count]);
    };
    expect(await next("{not json")).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await next("")).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await next("\u0000\u0001")).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await next('"just a string"')).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await next("null")).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await next('{"id":1,"method":"status"}')).toMatchObject({ id: 1, error: { code: -32600, message: expect.stringContaining("jsonrpc") } });
    expect(await next('{"jsonrpc":"2.0","id":2,"method":["status"]}')).toMatchObject({ id: 2, error: { code: -32600 } });
    expect(await next('{"jsonrpc":"2.0","id":{"x":1},"method":"status"}')).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await next('{"jsonrpc":"2.0","id":3,"method":"status","params":"yes"}')).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(await next('{"jsonrpc":"2.0","id":4,"method":"sessions.list","params":{"limit":{"$gt":1}}}')).toMatchObject({ id: 4, error: { code: -32602 } });
    expect(await next('{"jsonrpc":"2.0","id":5,"method":"rm -rf /"}')).toMatchObject({ id: 5, error: { code: -32601, data: { methods: expect.arrayContaining(["status", "chat.send"]) } } });
    expect(await next('{"jsonrpc":"2.0","id":6,"method":"__proto__"}')).toMatchObject({ id: 6, error: { code: -32601 } });
    expect(await next('{"jsonrpc":"2.0","id":7,"method":"toString"}')).toMatchObject({ id: 7, error: { code: -32601 } });
    expect(await next(Buffer.from('{"jsonrpc":"2.0","id":8,"method":"status"}'), true)).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining("binary") } });
    // A prototype-polluting payload pollutes nothing.
    expect(await next('{"jsonrpc":"2.0","id":9,"method":"status","params":{"__proto__":{"polluted":true}}}')).toMatchObject({ id: 9, error: { code: -32602 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await client.request("status")).toMatchObject({ connections: 1 });
  });

  it("answers batches as arrays, runs notifications without answering them", async () => {
    const g = await startGateway();
    const client = await g.connect();
    const count = client.frames.length;
    client.send(JSON.stringify([{ jsonrpc: "2.0", id: "a", method: "status" }, { jsonrpc: "2.0", method: "status" }, { jsonrpc: "2.0", id: "b", method: "nope" }, 42, { jsonrpc: "2.0", id: "c", method: "agents.list" }]));
    const batch = await client.waitFor(() => client.frames[count]);
    expect(batch).toEqual([
      expect.objectContaining({ id: "a", result: expect.objectContaining({ connections: 1 }) }),
      expect.objectContaining({ id: "b", error: expect.objectContaining({ code: -32601 }) }),
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32600 }) }),
      expect.objectContaining({ id: "c", result: [{ id: "main", default: true }] }),
    ]);
    // A batch of notifications, and a notification alone, get no frame at all: the next frame is the next answer.
    client.send(JSON.stringify([{ jsonrpc: "2.0", method: "status" }, { jsonrpc: "2.0", method: "agents.list" }]));
    client.send(JSON.stringify({ jsonrpc: "2.0", method: "status" }));
    expect(await client.call("agents.list", undefined, "after")).toMatchObject({ id: "after" });
    expect(client.frames).toHaveLength(count + 2);
    const empty = client.frames.length;
    client.send("[]");
    expect(await client.waitFor(() => client.frames[empty])).toMatchObject({ error: { code: -32600 } });
  });

  it("closes a connection that sends a frame over max_payload_bytes (1009); the gateway serves on", async () => {
    const g = await startGateway({ gateway: { max_payload_bytes: 4096 } });
    const client = await g.connect();
    expect(await client.request("status")).toBeTruthy();
    client.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chat.send", params: { message: "x".repeat(10_000), idempotencyKey: "big" } }));
    expect((await client.closed).code).toBe(1009);
    const other = await g.connect();
    let connections = (await other.request("status")).connections;
    for (const deadline = Date.now() + 5_000; connections !== 1 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      connections = (await other.request("status")).connections;
    }
    expect(connections).toBe(1);
  });
});

describe("floods", () => {
  it("limits 1,000 frames a second from one client (-32029, not run) while another client's calls are answered", async () => {
    const g = await startGateway();
    const flooder = await g.connect();
    const calm = await g.connect();
    const frame = JSON.stringify({ jsonrpc: "2.0", id: "f", method: "status" });
    const timer = setInterval(() => {
      for (let i = 0; i < 10; i++) flooder.send(frame);
    }, 10);
    const answered: unknown[] = [];
    try {
      const started = Date.now();
      while (Date.now() - started < 3_000) {
        answered.push(await calm.request("status"));
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clearInterval(timer);
    }
    expect(answered.length).toBeGreaterThanOrEqual(10);
    expect(answered.every((s) => (s as { connections: number }).connections === 2)).toBe(true);
    const limited = flooder.frames.filter((f) => f.error?.code === -32029);
    const ran = flooder.frames.filter((f) => f.result !== undefined);
    expect(limited.length).toBeGreaterThan(1000);
    expect(limited[0]).toMatchObject({ id: "f", error: { message: expect.stringContaining("rate limited"), data: { retryAfterMs: expect.any(Number) } } });
    // About the burst and 50 a second ran: nowhere near what was sent.
    expect(ran.length).toBeLessThan(400);
    expect(flooder.ws.readyState).toBe(1); // limited, not (yet) closed
    const log = readFileSync(join(g.root, "logs", "gateway.log"), "utf8");
    expect(log.match(/rate limiting a client/g)).toHaveLength(1); // once, not per frame
  });

  it("closes (1008) a client that keeps flooding at ten times its rate for five seconds", async () => {
    const g = await startGateway({ gateway: { rate_limit: 5 } });
    const flooder = await g.connect();
    const frame = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "status" });
    const timer = setInterval(() => {
      for (let i = 0; i < 2; i++) flooder.send(frame);
    }, 10); // 200 frames a second, 40× the rate
    try {
      expect((await flooder.closed).code).toBe(1008);
    } finally {
      clearInterval(timer);
    }
    const other = await g.connect();
    expect(await other.request("status")).toMatchObject({ connections: 1 });
  }, 15_000);

  it("refuses a connection past max_connections (503) and takes one again when a slot frees", async () => {
    const g = await startGateway({ gateway: { max_connections: 2 } });
    const a = await g.connect();
    await g.connect();
    const refused = await refusedUpgrade(g.ws, { authorization: `Bearer ${g.token}` });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "ALEPH_E_LIMIT", fix: expect.stringContaining("max_connections") });
    a.close();
    await a.closed;
    // The slot frees when the gateway has seen the close too.
    let c;
    for (const deadline = Date.now() + 5_000; !c; ) {
      c = await g.connect().catch((error: unknown) => {
        if (Date.now() > deadline) throw error;
        return undefined;
      });
    }
    expect(await c.request("status")).toMatchObject({ connections: 2 });
  });

  it("cuts off a client that stops reading once its unsent backlog passes 8 MiB; others are served", async () => {
    const g = await startGateway();
    const slow = await g.connect();
    const other = await g.connect();
    await slow.request("events.subscribe", { events: ["test.big"] });
    // The client stops reading: its socket is paused, so what the gateway sends piles up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = { blob: "x".repeat(256 * 1024) };
    for (let i = 0; i < 120 && !readFileSync(join(g.root, "logs", "gateway.log"), "utf8").includes("closing a slow reader"); i++) {
      await g.kernel.emit("test.big", payload);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => readFileSync(join(g.root, "logs", "gateway.log"), "utf8").includes("closing a slow reader"), 10_000, "the slow reader to be cut off");
    // Within the close grace the slow connection is gone, and the other one is answered meanwhile.
    let connections = (await other.request("status")).connections;
    for (const deadline = Date.now() + 5_000; connections !== 1 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      connections = (await other.request("status")).connections;
    }
    expect(connections).toBe(1);
  });
});
