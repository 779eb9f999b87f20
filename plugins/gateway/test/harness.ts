/*
 * The gateway in a real kernel (the test kit) with the real agent, sessions, chat and providers
 * plugins, a scripted fake model on 127.0.0.1, and real `ws` clients: what the tests share.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { createTestKernel, startFakeModelServer, type FakeModelServer, type FakeTurn, type TestKernel, type TestPlugin } from "@aleph/testing";

export const gatewayDir = fileURLToPath(new URL("..", import.meta.url));
const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));
/** The workspace plugin (agents, identity) from the repository. */
export const workspaceDir = dirname(fileURLToPath(import.meta.resolve("@aleph/plugin-workspace/aleph_plugin.toml")));

export interface Gateway {
  kernel: TestKernel;
  /** listen.json as the gateway wrote it at start. */
  listen: { host: string; port: number; pid: number; startedAt: string };
  root: string;
  model: FakeModelServer | undefined;
  port: number;
  token: string;
  http: string;
  ws: string;
  /** Opens a WebSocket with the token (unless `headers` say otherwise). */
  connect(options?: { headers?: Record<string, string>; auth?: boolean }): Promise<RpcTestClient>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** The [gateway] section (port 0 unless given). */
  gateway?: Record<string, unknown>;
  /** Other config.toml sections. */
  config?: Record<string, unknown>;
  /** Fake model turns: with them, providers.toml points at a fake model and the agent stack is loaded. */
  turns?: FakeTurn[];
  /** Load the agent stack (sessions, providers, agent, chat) even without turns. */
  agent?: boolean;
  extraPlugins?: TestPlugin[];
  root?: string;
}

const open: Gateway[] = [];

/** Stops every gateway a test started (call in afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all(open.splice(0).map((g) => g.stop()));
}

export function listenInfo(root: string): { host: string; port: number; pid: number; startedAt: string } {
  return JSON.parse(readFileSync(join(root, "data", "gateway", "listen.json"), "utf8"));
}

/** listen.json once the gateway has written it (just after the kernel is ready, or after a restart). */
export async function awaitListenInfo(root: string, previous?: { startedAt: string }): Promise<{ host: string; port: number; pid: number; startedAt: string }> {
  const file = join(root, "data", "gateway", "listen.json");
  const fresh = () => {
    try {
      return previous === undefined || listenInfo(root).startedAt !== previous.startedAt;
    } catch {
      return false; // not there (yet), or being replaced
    }
  };
  await until(() => existsSync(file) && fresh(), 5_000, "data/gateway/listen.json");
  return listenInfo(root);
}

export function tokenIn(root: string): string {
  return (JSON.parse(readFileSync(join(root, "keys", "gateway-token"), "utf8")) as { value: string }).value;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const root = options.root ?? mkdtempSync(join(tmpdir(), "aleph-gateway-"));
  const withAgent = options.turns !== undefined || options.agent === true;
  let model: FakeModelServer | undefined;
  if (options.turns !== undefined) {
    model = await startFakeModelServer(options.turns);
    writeFileSync(join(root, "providers.toml"), `[providers.fake]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${model.baseUrls.openai}"\nmax_retries = 0\n`, { mode: 0o600 });
  }
  const plugins: TestPlugin[] = [
    ...(withAgent ? [pluginDir("sessions"), pluginDir("providers"), pluginDir("agent"), pluginDir("chat")] : []),
    ...(options.extraPlugins ?? []),
    gatewayDir,
  ];
  const kernel = await createTestKernel({ root, plugins, config: { ...options.config, gateway: { port: 0, ...options.gateway } } });
  const info = await awaitListenInfo(root);
  // A fresh vault gets its token once the kernel is ready, just after start resolves.
  await until(() => existsSync(join(root, "keys", "gateway-token")), 5_000, "the gateway token");
  const gateway: Gateway = {
    kernel,
    listen: info,
    root,
    model,
    port: info.port,
    token: tokenIn(root),
    http: `http://127.0.0.1:${info.port}`,
    ws: `ws://127.0.0.1:${info.port}/`,
    connect: (o = {}) => RpcTestClient.connect(gateway.ws, { ...(o.auth === false ? {} : { authorization: `Bearer ${gateway.token}` }), ...o.headers }),
    async stop() {
      await kernel.stop();
      await model?.close();
    },
  };
  open.push(gateway);
  return gateway;
}

/** What an upgrade that was refused got: its HTTP status and JSON body. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      reject(new Error("the upgrade was accepted"));
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : undefined, headers: res.headers }));
    });
    ws.on("error", () => undefined);
  });
}

export interface Notification {
  method: string;
  params: any;
}

/** A JSON-RPC client over one real WebSocket. */
export class RpcTestClient {
  readonly notifications: Notification[] = [];
  /** Every frame received, parsed, in order. */
  readonly frames: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #next = 1;
  #pending = new Map<unknown, (response: any) => void>();
  #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.#onMessage(data.toString()));
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, headers: Record<string, string>): Promise<RpcTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new RpcTestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  #onMessage(text: string): void {
    const value = JSON.parse(text);
    this.frames.push(value);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item.method !== undefined && item.id === undefined) this.notifications.push({ method: item.method, params: item.params });
      else {
        const resolve = this.#pending.get(item.id);
        if (resolve) {
          this.#pending.delete(item.id);
          resolve(item);
        }
      }
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** Sends a request and resolves with its whole response ({result} or {error}). */
  call(method: string, params?: unknown, id: string | number = this.#next++): Promise<any> {
    const response = new Promise<any>((resolve) => this.#pending.set(id, resolve));
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) }));
    return response;
  }

  /** The result of a call; throws with the error when it failed. */
  async request(method: string, params?: unknown): Promise<any> {
    const response = await this.call(method, params);
    if (response.error) throw Object.assign(new Error(`${method}: ${response.error.message}`), { rpc: response.error });
    return response.result;
  }

  send(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** Resolves once `check` returns something other than undefined (checked on every frame). */
  waitFor<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timed out; frames so far: ${JSON.stringify(this.frames).slice(-2000)}`));
      }, timeoutMs);
      const wake = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(value);
      };
      this.#waiters.add(wake);
    });
  }

  /** The chat.event notifications of one idempotency key, in arrival order. */
  chatEvents(key: string): any[] {
    return this.notifications.filter((n) => n.method === "chat.event" && n.params.idempotencyKey === key).map((n) => n.params);
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls `check` until it returns true (state outside the client: the fake model's requests, files). */
export async function until(check: () => boolean, timeoutMs = 10_000, what = "a condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
