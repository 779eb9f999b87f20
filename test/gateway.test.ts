/*
 * The gateway end to end (issue 16's acceptance): the real CLI (`aleph start`) with every bundled
 * plugin, a fake OpenAI-compatible model on 127.0.0.1, and real WebSocket clients. A chat.send
 * streams its reply back; the session, the chat source of truth, the agent's runtime artifacts,
 * gateway.log and agent.log all hold the turn. Refused clients — no token, a wrong one, a foreign
 * Origin — reach nothing (the model sees no request). Fuzzed frames leave the gateway serving.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import WebSocket from "ws";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, startReadyKernel, type KernelProcess, type Workspace } from "./support/aleph.js";
import { moduleRecorder } from "./support/module-loads.js";

/** A workspace whose gateway listens on any free port (tests run side by side with a real aleph). */
function gatewayWorkspace(extraConfig = ""): Workspace {
  return createWorkspace({ config: `[gateway]\nport = 0\n${extraConfig}` });
}

/** The running gateway's address, from `aleph gateway url --json` (it reads data/gateway/listen.json). */
async function gatewayUrl(ws: Workspace): Promise<{ ws: string; http: string; port: number }> {
  return eventually(() => runCliJson(ws, ["gateway", "url", "--json"]), 10_000, 100);
}

interface Frame {
  id?: unknown;
  method?: string;
  params?: any;
  result?: any;
  error?: any;
}

/** A JSON-RPC client on one WebSocket: calls, and every frame received. */
async function connect(url: string, headers: Record<string, string>): Promise<{ socket: WebSocket; frames: Frame[]; call(method: string, params?: unknown): Promise<Frame>; closed: Promise<number> }> {
  const socket = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const waiting = new Map<unknown, (frame: Frame) => void>();
  socket.on("message", (data) => {
    const value = JSON.parse(data.toString()) as Frame | Frame[];
    for (const frame of Array.isArray(value) ? value : [value]) {
      frames.push(frame);
      if (frame.id !== undefined) waiting.get(frame.id)?.(frame);
    }
  });
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let next = 1;
  return {
    socket,
    frames,
    closed,
    call(method, params) {
      const id = next++;
      const answered = new Promise<Frame>((resolve) => waiting.set(id, resolve));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) }));
      return answered;
    },
  };
}

/** The HTTP status an upgrade was refused with (rejects if it was accepted). */
function refusal(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on("open", () => {
      socket.close();
      reject(new Error("accepted"));
    });
    socket.on("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    socket.on("error", () => undefined);
  });
}

async function startWithModel(ws: Workspace, turns: Parameters<typeof fakeModel>[0]): Promise<{ kernel: KernelProcess; model: Awaited<ReturnType<typeof fakeModel>>; token: string; url: Awaited<ReturnType<typeof gatewayUrl>> }> {
  const model = await fakeModel(turns);
  writeProviders(ws, openaiProvider("fake", model));
  const kernel = await startReadyKernel(ws);
  const url = await gatewayUrl(ws);
  const token = (await runCli(ws, ["gateway", "token"])).stdout.trim();
  return { kernel, model, token, url };
}

describe("the gateway through aleph start", () => {
  test("a WebSocket client's chat.send streams the reply; the session, the chat, the runtime artifacts and both logs hold the turn", async () => {
    const ws = gatewayWorkspace();
    const reply = "Hello from the fake model, streamed in pieces.";
    const { kernel, model, token, url } = await startWithModel(ws, [{ text: reply, chunkChars: 8 }]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.ws).toBe(`ws://127.0.0.1:${url.port}/`);

    const client = await connect(url.ws, { authorization: `Bearer ${token}`, "user-agent": "e2e-client/1.0" });
    const response = await client.call("chat.send", { message: "Hi, who are you?", idempotencyKey: "e2e-1" });
    expect(response.result).toMatchObject({ ok: true, text: reply, sessionKey: "agent:main:main", idempotencyKey: "e2e-1", replayed: false });
    const events = client.frames.filter((f) => f.method === "chat.event").map((f) => f.params);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].event.type).toBe("turn.started");
    expect(events.filter((e) => e.event.type === "text").length).toBeGreaterThan(1);
    expect(events.filter((e) => e.event.type === "text").map((e) => e.event.text).join("")).toBe(reply);
    expect(events.at(-1).event).toMatchObject({ type: "turn.completed", text: reply });
    const turnId = response.result.turnId as string;

    // The session holds the turn.
    const shown = await runCliJson(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(shown.messages.map((m: { role: string; content: unknown }) => [m.role, m.content])).toEqual([
      ["user", "Hi, who are you?"],
      ["assistant", reply],
    ]);
    // The chat source of truth holds the inbound message and the reply.
    const chat = readFileSync(join(ws.root, "chat", "chats", "main-main.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(chat.map((m: { from: string; content: unknown }) => [m.from, m.content])).toEqual([
      ["gateway", "Hi, who are you?"],
      ["agent.main", reply],
    ]);
    // The agent's runtime artifacts hold the turn's breadcrumbs.
    const sessionId = shown.session.id as string;
    const breadcrumbs = readFileSync(join(ws.root, "agents", "main", "sessions", `${sessionId}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(breadcrumbs.filter((b: { turnId?: string }) => b.turnId === turnId).map((b: { type: string }) => b.type)).toEqual(["turn.started", "model.call", "turn.completed"]);
    const state = JSON.parse(readFileSync(join(ws.root, "agents", "main", "state", `${sessionId}.json`), "utf8"));
    expect(state).toMatchObject({ inFlight: null, lastTurn: { turnId, outcome: "completed" } });
    expect(readdirSync(join(ws.root, "agents", "main", "prompts"))).toContain(`${sessionId}.jsonl`);
    // The fake model got the message.
    expect(model.requests).toHaveLength(1);
    expect(JSON.stringify(model.requests[0]!.body.messages)).toContain("Hi, who are you?");

    client.socket.close();
    await client.closed;
    await eventually(() => {
      const gatewayLog = readFileSync(join(ws.root, "logs", "gateway.log"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const opened = gatewayLog.find((l) => l.module === "gateway" && l.msg === "connection opened" && l.userAgent === "e2e-client/1.0");
      expect(opened).toMatchObject({ auth: "token", remote: expect.stringContaining("127.0.0.1") });
      const calls = gatewayLog.filter((l) => l.module === "gateway" && l.msg === "calls").flatMap((l) => l.calls);
      expect(calls.find((c: { method: string; conn: string }) => c.method === "chat.send" && c.conn === opened.conn)).toMatchObject({ id: 1, ok: true, ms: expect.any(Number) });
      expect(gatewayLog.find((l) => l.msg === "connection closed" && l.conn === opened.conn)).toMatchObject({ frames: 1 });
    }, 5_000);
    const gatewayText = readFileSync(join(ws.root, "logs", "gateway.log"), "utf8");
    expect(gatewayText).not.toContain(token);
    expect(gatewayText).not.toContain("Hi, who are you?");
    const agentLog = readFileSync(join(ws.root, "logs", "agent.log"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(agentLog.find((l) => l.msg === "model call" && l.turnId === turnId)).toMatchObject({ provider: "fake", model: "fake-model", sessionKey: "agent:main:main" });

    // The same key again: no second model call, the same answer, replayed.
    const again = await connect(url.ws, { authorization: `Bearer ${token}` });
    expect((await again.call("chat.send", { message: "Hi, who are you?", idempotencyKey: "e2e-1" })).result).toMatchObject({ ok: true, text: reply, turnId, replayed: true });
    expect(model.requests).toHaveLength(1);
    again.socket.close();
    await kernel.stop();
  });

  test("no token, a wrong token, a foreign Origin: refused on the upgrade, and nothing reaches the agent", async () => {
    const ws = gatewayWorkspace();
    const { kernel, model, token, url } = await startWithModel(ws, [{ text: "should never be asked" }]);
    expect(await refusal(url.ws, {})).toBe(401);
    expect(await refusal(url.ws, { authorization: "Bearer not-the-token" })).toBe(401);
    expect(await refusal(url.ws, { authorization: `Bearer ${token}`, origin: "http://evil.example" })).toBe(403);
    // A login with a wrong token gets no cookie.
    const login = await fetch(`${url.http}auth`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "nope" }) });
    expect(login.status).toBe(401);
    expect(login.headers.get("set-cookie")).toBeNull();
    expect(model.requests).toHaveLength(0);
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
    const log = readFileSync(join(ws.root, "logs", "gateway.log"), "utf8");
    expect(log.match(/"msg":"upgrade refused"/g)?.length).toBeGreaterThanOrEqual(3);
    await kernel.stop();
  });

  test("fuzzed frames get errors and limits; the gateway stays up and serves another client", async () => {
    const ws = gatewayWorkspace("max_payload_bytes = 65536\n");
    const { kernel, token, url } = await startWithModel(ws, []);
    const headers = { authorization: `Bearer ${token}` };
    const fuzzer = await connect(url.ws, headers);
    const frames = ["{", "[]", "[1]", "null", '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"2.0","id":2,"method":"no.such.method"}', '{"jsonrpc":"2.0","id":3,"method":"chat.send","params":{"message":7}}', '{"jsonrpc":"2.0","id":4,"method":"sessions.show","params":[1,2]}', "\u0000\u00ff"];
    for (const frame of frames) fuzzer.socket.send(frame);
    fuzzer.socket.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    await eventually(() => expect(fuzzer.frames.length).toBe(frames.length + 1), 5_000, 50);
    const codes = fuzzer.frames.map((f) => f.error?.code).sort();
    expect(codes).toEqual([-32700, -32700, -32600, -32600, -32600, -32600, -32601, -32602, -32602, -32600].sort());

    // 1,000 frames a second for two seconds: limited, while another client is served.
    const calm = await connect(url.ws, headers);
    const timer = setInterval(() => {
      for (let i = 0; i < 10; i++) fuzzer.socket.send('{"jsonrpc":"2.0","id":"f","method":"status"}');
    }, 10);
    try {
      for (let i = 0; i < 10; i++) {
        expect((await calm.call("status")).result).toMatchObject({ connections: 2 });
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      clearInterval(timer);
    }
    expect(fuzzer.frames.filter((f) => f.error?.code === -32029).length).toBeGreaterThan(500);

    // A frame over max_payload_bytes closes its connection with 1009.
    fuzzer.socket.send("x".repeat(100_000));
    expect(await fuzzer.closed).toBe(1009);
    await eventually(async () => expect((await calm.call("status")).result).toMatchObject({ connections: 1 }), 5_000, 100);
    // The kernel is fine: its plugins are all up.
    expect((await runCliJson(ws, ["plugins", "list", "--json"])).filter((p: { status: string }) => p.status === "failed")).toEqual([]);
    calm.socket.close();
    await kernel.stop();
  });

  test("aleph gateway token works without a kernel (generating the token once); aleph gateway url needs a running gateway", async () => {
    const ws = gatewayWorkspace();
    const first = await runCli(ws, ["gateway", "token"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(first.stderr).toMatch(/Generated a gateway token/);
    const second = await runCli(ws, ["gateway", "token"]);
    expect(second).toMatchObject({ code: 0, stdout: first.stdout, stderr: "" });
    expect((await runCli(ws, ["keys", "get", "gateway-token"])).stdout).toBe(first.stdout);

    const none = await runCli(ws, ["gateway", "url"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no gateway is running/);
    expect(none.stderr).toMatch(/aleph start/);

    const kernel = await startReadyKernel(ws);
    const url = await gatewayUrl(ws);
    const plain = await runCli(ws, ["gateway", "url"]);
    expect(plain.stdout).toBe(`${url.ws}\n${url.http}\n`);
    // The kernel took the token the command generated.
    const client = await connect(url.ws, { authorization: `Bearer ${first.stdout.trim()}` });
    expect((await client.call("status")).result).toMatchObject({ connections: 1 });
    client.socket.close();
    await kernel.stop();
  });

  test("aleph start loads the gateway's entry alone: its runtime comes with the first request, ws with the first WebSocket", async () => {
    const ws = gatewayWorkspace();
    const recorder = moduleRecorder(ws);
    const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
    await kernel.ready();
    const runtime = (url: string) => url.endsWith("/plugins/gateway/dist/runtime.js");
    const wsLibrary = (url: string) => /\/node_modules\/(\.pnpm\/ws@[^/]+\/node_modules\/)?ws\//.test(url);
    const atStart = recorder.loaded();
    expect(atStart.some((url) => url.endsWith("/plugins/gateway/dist/index.js")), "the recorder sees the entry load").toBe(true);
    expect(atStart.filter(runtime)).toEqual([]);
    expect(atStart.filter(wsLibrary)).toEqual([]);
    const url = await gatewayUrl(ws);
    expect(await (await fetch(`${url.http}healthz`)).json()).toEqual({ ok: true });
    await eventually(() => expect(recorder.loaded().filter(runtime)).toHaveLength(1), 5_000, 50);
    expect(recorder.loaded().filter(wsLibrary)).toEqual([]);
    const token = (await runCli(ws, ["gateway", "token"])).stdout.trim();
    const client = await connect(url.ws, { authorization: `Bearer ${token}` });
    expect(recorder.loaded().filter(wsLibrary).length).toBeGreaterThan(0);
    client.socket.close();
    await kernel.stop();
  });
});
