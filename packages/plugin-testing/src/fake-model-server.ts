import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  embeddingsBody,
  errorBody,
  replyBody,
  streamFrames,
  type FakeModelProtocol,
  type FakeReplyContent,
} from "./fake-model-wire.js";

export type { FakeModelProtocol, FakeReplyContent, FakeToolCall, FakeUsage } from "./fake-model-wire.js";

/** A reply of the fake model: text, thinking and/or tool calls, streamed or not as the request asks. */
export interface FakeReplyTurn extends FakeReplyContent {
  type?: "reply";
  /** Wait this long before the first token (streamed: after the headers; non-streamed: before answering). */
  firstTokenDelayMs?: number;
  /** Wait this long between streamed frames (SSE events / NDJSON lines). */
  chunkDelayMs?: number;
  /** Drop the connection after this many frames (streamed), or half-way through the body (non-streamed). */
  cutAfterChunks?: number;
}

/** An HTTP error answer. `body` defaults to the protocol's own error shape with a message naming the status. */
export interface FakeErrorTurn {
  type: "error";
  status: number;
  /** A string is sent as it is (an HTML page from a proxy); anything else as JSON. */
  body?: unknown;
  /** E.g. `{ "retry-after": "7" }`. */
  headers?: Record<string, string>;
  delayMs?: number;
}

/** The answer to one embeddings request: one vector per input. */
export interface FakeEmbeddingsTurn {
  type: "embeddings";
  vectors: number[][];
}

/** Bytes sent exactly as given, for testing how a client takes a server that breaks the protocol. */
export interface FakeRawTurn {
  type: "raw";
  status?: number;
  /** Default `content-type: text/event-stream` (anthropic, openai) or `application/x-ndjson` (ollama). */
  headers?: Record<string, string>;
  chunks: string[];
  chunkDelayMs?: number;
}

export type FakeTurn = FakeReplyTurn | FakeErrorTurn | FakeEmbeddingsTurn | FakeRawTurn;

export interface FakeModelScript {
  /** The turns, answered in order, one per request. */
  turns?: FakeTurn[];
  /** Vectors for an embeddings request that finds no `embeddings` or `error` turn next (default: 8 numbers derived from the text). */
  embed?: (text: string, model: string) => number[];
}

/** The routes the server answers, each at the path the real API uses. */
export type FakeModelRoute = "/v1/messages" | "/v1/chat/completions" | "/api/chat" | "/v1/embeddings" | "/api/embed";

/** A request the server received, as it received it. */
export interface FakeModelRequest {
  route: FakeModelRoute;
  protocol: FakeModelProtocol;
  kind: "chat" | "embed";
  /** Whether the request asked for a stream (Ollama streams unless told `stream: false`). */
  stream: boolean;
  /** Lower-cased names, as Node gives them. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface FakeModelServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The base URL each protocol's client takes: anthropic and ollama the root, openai `/v1`. */
  readonly baseUrls: Readonly<Record<FakeModelProtocol, string>>;
  /** Every request answered so far (and refused ones with a JSON body), in order. */
  readonly requests: readonly FakeModelRequest[];
  /** Adds turns to the end of the script. */
  push(...turns: FakeTurn[]): void;
  /** How many turns are still waiting. */
  pending(): number;
  close(): Promise<void>;
}

const ROUTES: Record<FakeModelRoute, { protocol: FakeModelProtocol; kind: "chat" | "embed" }> = {
  "/v1/messages": { protocol: "anthropic", kind: "chat" },
  "/v1/chat/completions": { protocol: "openai", kind: "chat" },
  "/api/chat": { protocol: "ollama", kind: "chat" },
  "/v1/embeddings": { protocol: "openai", kind: "embed" },
  "/api/embed": { protocol: "ollama", kind: "embed" },
};

/**
 * Starts a scripted model server on 127.0.0.1 (a free port) that speaks the Anthropic Messages,
 * OpenAI Chat Completions and Ollama chat APIs (and the OpenAI and Ollama embeddings APIs) at their
 * real routes, so agent code and provider adapters can be tested offline with real HTTP. Each
 * request takes the next turn of the script: a reply (text, thinking, tool calls; streamed when the
 * request asks, with optional delays, or cut off mid-way), an HTTP error (status, body, headers such
 * as Retry-After), or raw bytes. Every request is recorded (`requests`) so a test can check what was
 * sent. A chat request with no turn left gets a 500 saying so. Close it in `afterAll`/`finally`.
 *
 * ```ts
 * const server = await startFakeModelServer([{ text: "Hello!" }, { type: "error", status: 429, headers: { "retry-after": "2" } }]);
 * // point a provider at server.baseUrls.openai …
 * expect(server.requests[0]?.body.messages).toEqual([{ role: "user", content: "Hi" }]);
 * await server.close();
 * ```
 */
export async function startFakeModelServer(script: FakeModelScript | FakeTurn[] = {}): Promise<FakeModelServer> {
  const { turns = [], embed = defaultEmbedding } = Array.isArray(script) ? { turns: script } : script;
  const queue = [...turns];
  const requests: FakeModelRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A handler bug must show in the test, not hang it.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(`fake model server failed: ${String(error)}`);
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const raw = await readBody(req);
    if (req.method !== "POST" || !isRoute(path)) {
      sendJson(res, 404, { error: { message: `fake model server: no route ${req.method ?? "?"} ${path}; it answers POST ${Object.keys(ROUTES).join(", ")}` } });
      return;
    }
    const route = ROUTES[path];
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(res, 400, errorBody(route.protocol, 400, "fake model server: the request body is not JSON"));
      return;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      sendJson(res, 400, errorBody(route.protocol, 400, "fake model server: the request body is not a JSON object"));
      return;
    }
    const fields = body as Record<string, unknown>;
    const stream = route.protocol === "ollama" ? fields.stream !== false : fields.stream === true;
    requests.push({ route: path, protocol: route.protocol, kind: route.kind, stream, headers: flatHeaders(req), body: fields });
    const model = typeof fields.model === "string" ? fields.model : "fake-model";

    if (route.kind === "embed") {
      const next = queue[0];
      if (next?.type === "error" || next?.type === "embeddings" || next?.type === "raw") queue.shift();
      if (next?.type === "error") return sendError(res, route.protocol, next);
      if (next?.type === "raw") return sendRaw(res, route.protocol, next);
      const inputs = typeof fields.input === "string" ? [fields.input] : Array.isArray(fields.input) ? fields.input.map(String) : [];
      const vectors = next?.type === "embeddings" ? next.vectors : inputs.map((text) => embed(text, model));
      sendJson(res, 200, embeddingsBody(route.protocol, vectors, model));
      return;
    }

    const turn = queue.shift();
    if (!turn) {
      sendJson(res, 500, errorBody(route.protocol, 500, `fake model server: no scripted turn left for request ${requests.length}`));
      return;
    }
    switch (turn.type) {
      case "error":
        return sendError(res, route.protocol, turn);
      case "raw":
        return sendRaw(res, route.protocol, turn);
      case "embeddings":
        sendJson(res, 500, errorBody(route.protocol, 500, `fake model server: the next turn is embeddings, but request ${requests.length} is a chat request`));
        return;
      default:
        return stream ? sendStream(res, route.protocol, turn, model, includeUsage(fields)) : sendReply(res, route.protocol, turn, model);
    }
  }

  async function wait(ms: number | undefined): Promise<boolean> {
    if (!ms) return !closing.signal.aborted;
    try {
      await sleep(ms, undefined, { signal: closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  async function sendError(res: ServerResponse, protocol: FakeModelProtocol, turn: FakeErrorTurn): Promise<void> {
    if (!(await wait(turn.delayMs))) return void res.destroy();
    const body = turn.body === undefined ? errorBody(protocol, turn.status, `fake error ${turn.status}`) : turn.body;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain" : "application/json";
    res.writeHead(turn.status, { "content-type": type, ...turn.headers }).end(text);
  }

  async function sendRaw(res: ServerResponse, protocol: FakeModelProtocol, turn: FakeRawTurn): Promise<void> {
    res.writeHead(turn.status ?? 200, { "content-type": streamType(protocol), ...turn.headers });
    for (const chunk of turn.chunks) {
      if (!(await wait(turn.chunkDelayMs)) || res.destroyed) return void res.destroy();
      res.write(chunk);
    }
    res.end();
  }

  async function sendReply(res: ServerResponse, protocol: FakeModelProtocol, turn: FakeReplyTurn, model: string): Promise<void> {
    if (!(await wait(turn.firstTokenDelayMs))) return void res.destroy();
    const text = JSON.stringify(replyBody(protocol, turn, model));
    if (turn.cutAfterChunks !== undefined) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      await flushThenDestroy(res);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(text);
  }

  async function sendStream(res: ServerResponse, protocol: FakeModelProtocol, turn: FakeReplyTurn, model: string, usage: boolean): Promise<void> {
    res.writeHead(200, { "content-type": streamType(protocol), "cache-control": "no-cache" });
    res.flushHeaders();
    if (!(await wait(turn.firstTokenDelayMs))) return void res.destroy();
    const frames = streamFrames(protocol, turn, model, usage);
    for (const [index, frame] of frames.entries()) {
      if (turn.cutAfterChunks !== undefined && index >= turn.cutAfterChunks) {
        await flushThenDestroy(res);
        return;
      }
      if (index > 0 && !(await wait(turn.chunkDelayMs))) return void res.destroy();
      if (res.destroyed) return;
      res.write(frame);
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrls: { anthropic: url, openai: `${url}/v1`, ollama: url },
    requests,
    push: (...more) => void queue.push(...more),
    pending: () => queue.length,
    close: async () => {
      closing.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isRoute(path: string): path is FakeModelRoute {
  return Object.hasOwn(ROUTES, path);
}

/** Lets what was written reach the client before the connection drops, so the cut falls where the script says. */
async function flushThenDestroy(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write("", () => resolve()));
  res.destroy();
}

function includeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return typeof options === "object" && options !== null && (options as Record<string, unknown>).include_usage === true;
}

function streamType(protocol: FakeModelProtocol): string {
  return protocol === "ollama" ? "application/x-ndjson" : "text/event-stream";
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** Eight numbers in [-1, 1] from an FNV-1a hash of the text: the same text always gets the same vector. */
function defaultEmbedding(text: string): number[] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return Array.from({ length: 8 }, (_, i) => {
    hash = Math.imul(hash ^ (i + 1), 0x01000193) >>> 0;
    return (hash / 0xffffffff) * 2 - 1;
  });
}
