/*
 * The gateway's life: listening at setup (listen.json, the token generated when missing), a port
 * in use failing the plugin, a config change restarting it (clients closed with 1012), a stop
 * that frees the port at once, and gateway.log's record of it all — secrets never in it.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestKernel, runPluginConformance } from "@aleph/testing";
import { awaitListenInfo, gatewayDir, listenInfo, RpcTestClient, startGateway, stopAll, tokenIn, until } from "./harness.js";

afterEach(stopAll);

const logLines = (root: string) =>
  readFileSync(join(root, "logs", "gateway.log"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.module === "gateway");

describe("starting", () => {
  it("generates the token when the vault has none (0600, logged without its value), writes listen.json, and keeps the token across restarts", async () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-gateway-"));
    const first = await startGateway({ root });
    const tokenFile = join(root, "keys", "gateway-token");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const info = listenInfo(root);
    expect(info).toMatchObject({ host: "127.0.0.1", port: first.port, pid: process.pid });
    expect(statSync(join(root, "data", "gateway", "listen.json")).mode & 0o777).toBe(0o600);
    expect(logLines(root).map((l) => l.msg)).toEqual(expect.arrayContaining(["generated a gateway token: aleph gateway token prints it", "gateway listening"]));
    await first.stop();
    expect(existsSync(join(root, "data", "gateway", "listen.json"))).toBe(false);
    expect(readFileSync(join(root, "logs", "gateway.log"), "utf8")).not.toContain(first.token);

    const second = await startGateway({ root });
    expect(tokenIn(root)).toBe(first.token);
    expect(logLines(root).filter((l) => l.msg === "generated a gateway token: aleph gateway token prints it")).toHaveLength(1);
    await second.stop();
  });

  it("fails the plugin when its port is in use, saying so; the kernel runs on", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const kernel = await createTestKernel({ plugins: [gatewayDir], config: { gateway: { port } } });
    try {
      const info = kernel.plugin("gateway")!;
      expect(info.status).toBe("failed");
      expect(info.error!.message).toContain(`port ${port} is in use (by another aleph?)`);
      expect(info.error!.fix).toMatch(/\[gateway\] port/);
    } finally {
      await kernel.stop();
      blocker.close();
    }
  });

  it("does not listen with enabled = false", async () => {
    const kernel = await createTestKernel({ plugins: [gatewayDir], config: { gateway: { enabled: false, port: 0 } } });
    try {
      expect(kernel.plugin("gateway")?.status).toBe("active");
      expect(existsSync(join(kernel.root, "data", "gateway", "listen.json"))).toBe(false);
    } finally {
      await kernel.stop();
    }
  });
});

describe("restarting and stopping", () => {
  it("restarts on a change to [gateway]: clients are closed with 1012 and connect again under the new settings", async () => {
    const g = await startGateway();
    const client = await g.connect();
    expect(await client.request("status")).toBeTruthy();
    expect(await g.kernel.writeConfig({ gateway: { port: 0, max_connections: 1 } })).toMatchObject({ applied: true, sections: ["gateway"] });
    expect(await client.closed).toEqual({ code: 1012, reason: "the gateway is restarting" });
    const info = await awaitListenInfo(g.root, g.listen);
    const again = await RpcTestClient.connect(`ws://127.0.0.1:${info.port}/`, { authorization: `Bearer ${g.token}` });
    expect(await again.request("status")).toMatchObject({ connections: 1 });
    // The new settings hold: one connection at most now.
    await expect(RpcTestClient.connect(`ws://127.0.0.1:${info.port}/`, { authorization: `Bearer ${g.token}` })).rejects.toThrow(/503/);
  });

  it("refuses a live edit that would expose it without auth; the gateway keeps serving as before", async () => {
    const g = await startGateway();
    const client = await g.connect();
    expect(await g.kernel.writeConfig({ gateway: { host: "0.0.0.0", port: 0, require_auth: false } })).toMatchObject({ applied: false });
    expect(await client.request("status")).toMatchObject({ connections: 1 });
    expect(listenInfo(g.root)).toMatchObject({ host: "127.0.0.1", port: g.port });
  });

  it("stops promptly when Aleph stops: connections closed (1001, going away), port free at once", async () => {
    const g = await startGateway({ turns: [{ text: "never", firstTokenDelayMs: 30_000 }] });
    const client = await g.connect();
    void client.request("chat.send", { message: "x", idempotencyKey: "k" }).catch(() => undefined);
    await client.waitFor(() => client.chatEvents("k")[0]);
    const started = performance.now();
    await g.kernel.stop();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await client.closed).toEqual({ code: 1001, reason: "Aleph is stopping" });
    // The port can be bound again right away.
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(g.port, "127.0.0.1", resolve);
    });
    server.close();
  });
});

describe("conformance", () => {
  it("passes the conformance kit (nothing left behind when unloaded, config schema shipped)", async () => {
    const result = await runPluginConformance(gatewayDir, { config: { gateway: { port: 0 } } });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe("gateway.log", () => {
  it("records connections, calls and refusals — never params or the token", async () => {
    const g = await startGateway({ turns: [{ text: "the answer" }] });
    const client = await g.connect({ headers: { "user-agent": "gateway-test/1.0" } });
    await client.request("chat.send", { message: "a very private message 7f3a", idempotencyKey: "log-1" });
    await client.call("nope", { secret: "param-secret-91" }, "bad-1");
    client.close();
    await client.closed;
    await RpcTestClient.connect(g.ws, { authorization: "Bearer wrong-token-value" }).catch(() => undefined);
    const calls = () => logLines(g.root).flatMap((l) => (l.msg === "calls" ? (l.calls as Record<string, unknown>[]) : []));
    await until(() => logLines(g.root).some((l) => l.msg === "connection closed") && logLines(g.root).some((l) => l.msg === "upgrade refused") && calls().length >= 2, 5_000, "the log lines");
    const lines = logLines(g.root);
    const opened = lines.find((l) => l.msg === "connection opened")!;
    expect(opened).toMatchObject({ conn: expect.any(String), remote: expect.stringContaining("127.0.0.1"), userAgent: "gateway-test/1.0", auth: "token" });
    // Calls are written in batches (a `calls` line), each with its connection, method, id, time and outcome.
    expect(calls().find((c) => c.method === "chat.send")).toEqual({ conn: opened.conn, method: "chat.send", id: 1, ms: expect.any(Number), ok: true });
    expect(calls().find((c) => c.method === "nope")).toEqual({ conn: opened.conn, method: "nope", id: "bad-1", ms: expect.any(Number), ok: false, rpcError: -32601 });
    expect(lines.find((l) => l.msg === "connection closed")).toMatchObject({ conn: opened.conn, code: 1005, frames: 2, ms: expect.any(Number) });
    expect(lines.find((l) => l.msg === "upgrade refused")).toMatchObject({ status: 401, why: expect.stringContaining("wrong token") });
    const text = readFileSync(join(g.root, "logs", "gateway.log"), "utf8");
    for (const secret of ["a very private message 7f3a", "param-secret-91", "wrong-token-value", g.token]) expect(text).not.toContain(secret);
  });
});
