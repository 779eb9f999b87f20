import { LLMock } from "@copilotkit/aimock";
import type { ModelRequest } from "@aleph/plugin-sdk";
import { startFakeModelServer, type FakeModelServer } from "@aleph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicAdapter as adapter } from "../src/protocols/anthropic.js";
import {
  TEST_KEY,
  bodyOf,
  byteByByte,
  bytes,
  collect,
  completeCall,
  doneOf,
  droppedAfter,
  endpointAt,
  errorOf,
  isErrorInfo,
  streamError,
  streamEvents,
  terminalCount,
  textOf,
} from "./protocol-harness.js";

const hello: ModelRequest = { messages: [{ role: "user", content: "hello" }] };
const readTool = { name: "read", description: "Reads a file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } };
const listTool = { name: "list", description: "Lists a directory", parameters: { type: "object", properties: {} } };
const offline = endpointAt("http://127.0.0.1:9");

describe("anthropic: the request sent", () => {
  it("sends a tool loop as the Messages API wants it: thinking first, one user message of tool results, text after them", () => {
    const wire = adapter.buildRequest(
      {
        messages: [
          { role: "user", content: "Read a and b" },
          {
            role: "assistant",
            content: "Reading both.",
            thinking: [{ text: "I should read both", signature: "sig-1" }, { text: "", redacted: "opaque-data" }, { text: "unsigned, from another provider" }],
            toolCalls: [
              { id: "toolu_1", name: "read", arguments: { path: "a" } },
              { id: "toolu_2", name: "read", arguments: { path: "b" } },
            ],
          },
          { role: "tool", toolCallId: "toolu_1", name: "read", content: "A" },
          { role: "tool", toolCallId: "toolu_2", name: "read", content: "no such file", isError: true },
          { role: "user", content: "And now?" },
          { role: "assistant", content: "Done." },
        ],
        thinking: "low",
      },
      { ...offline, reasoning: true },
      true,
    );
    expect(wire.url).toBe("http://127.0.0.1:9/v1/messages");
    expect(bodyOf(wire)).toEqual({
      model: "test-model",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      stream: true,
      messages: [
        { role: "user", content: "Read a and b" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "I should read both", signature: "sig-1" },
            { type: "redacted_thinking", data: "opaque-data" },
            { type: "text", text: "Reading both." },
            { type: "tool_use", id: "toolu_1", name: "read", input: { path: "a" } },
            { type: "tool_use", id: "toolu_2", name: "read", input: { path: "b" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "A" },
            { type: "tool_result", tool_use_id: "toolu_2", content: "no such file", is_error: true },
            { type: "text", text: "And now?" },
          ],
        },
        { role: "assistant", content: "Done." },
      ],
    });
  });

  it("leaves the thinking blocks out while thinking is off", () => {
    const body = bodyOf(
      adapter.buildRequest(
        {
          messages: [
            { role: "user", content: "go" },
            { role: "assistant", content: "ok", thinking: [{ text: "hm", signature: "sig" }, { text: "", redacted: "r" }], toolCalls: [{ id: "t1", name: "list", arguments: {} }] },
            { role: "tool", toolCallId: "t1", name: "list", content: "x" },
          ],
        },
        { ...offline, reasoning: true },
        true,
      ),
    );
    expect((body.messages as { content: unknown }[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "ok" },
        { type: "tool_use", id: "t1", name: "list", input: {} },
      ],
    });
  });

  it("keeps two runs of tool results in two user messages when an assistant turn is between them", () => {
    const body = bodyOf(
      adapter.buildRequest(
        {
          messages: [
            { role: "user", content: "go" },
            { role: "assistant", content: "", toolCalls: [{ id: "t1", name: "list", arguments: {} }] },
            { role: "tool", toolCallId: "t1", name: "list", content: "x" },
            { role: "assistant", content: "", toolCalls: [{ id: "t2", name: "list", arguments: {} }] },
            { role: "tool", toolCallId: "t2", name: "list", content: "y" },
          ],
        },
        offline,
        false,
      ),
    );
    expect(body.messages).toEqual([
      { role: "user", content: "go" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "list", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "x" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t2", name: "list", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t2", content: "y" }] },
    ]);
    expect(body.stream).toBeUndefined();
  });

  it("sends the system prompt as text blocks with cache_control where asked, and a breakpoint on the last tool", () => {
    const body = bodyOf(
      adapter.buildRequest({ ...hello, system: [{ text: "You are Aleph.", cache: true }, { text: "Today is Monday." }, { text: "" }], tools: [readTool, listTool] }, offline, true),
    );
    expect(body.system).toEqual([
      { type: "text", text: "You are Aleph.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Today is Monday." },
    ]);
    expect(body.tools).toEqual([
      { name: "read", description: "Reads a file", input_schema: readTool.parameters },
      { name: "list", description: "Lists a directory", input_schema: listTool.parameters, cache_control: { type: "ephemeral" } },
    ]);
  });

  it("marks no tool for caching when no system block asks for the cache, and sends a plain system string as one block", () => {
    const body = bodyOf(adapter.buildRequest({ ...hello, system: "Be brief.", tools: [readTool] }, offline, true));
    expect(body.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(body.tools).toEqual([{ name: "read", description: "Reads a file", input_schema: readTool.parameters }]);
  });

  it("adds no tool breakpoint when the system blocks already use all four the API allows", () => {
    const system = [1, 2, 3, 4].map((n) => ({ text: `part ${n}`, cache: true }));
    const body = bodyOf(adapter.buildRequest({ ...hello, system, tools: [readTool] }, offline, true));
    expect(JSON.stringify(body.tools)).not.toContain("cache_control");
  });

  it("sends the key in x-api-key with the API version, or in the header the provider names", () => {
    const plain = adapter.buildRequest(hello, offline, true);
    expect(plain.headers).toEqual({ "content-type": "application/json", "anthropic-version": "2023-06-01", accept: "text/event-stream", "x-api-key": TEST_KEY });
    const gateway = adapter.buildRequest(hello, { ...offline, authHeader: "Authorization", authPrefix: "Bearer ", headers: { "X-Gateway": "g1", "Anthropic-Version": "2024-01-01" } }, false);
    expect(gateway.headers).toEqual({ "content-type": "application/json", "anthropic-version": "2024-01-01", authorization: `Bearer ${TEST_KEY}`, "x-gateway": "g1" });
    expect(adapter.buildRequest(hello, { ...offline, apiKey: undefined }, false).headers["x-api-key"]).toBeUndefined();
  });

  it("turns thinking on only for a reasoning provider, with the level's budget, max_tokens raised above it and no temperature", () => {
    const ask: ModelRequest = { ...hello, thinking: "medium", temperature: 0.3, maxTokens: 1000 };
    expect(bodyOf(adapter.buildRequest(ask, offline, true))).toMatchObject({ max_tokens: 1000, temperature: 0.3 });
    expect(bodyOf(adapter.buildRequest(ask, offline, true)).thinking).toBeUndefined();
    const body = bodyOf(adapter.buildRequest(ask, { ...offline, reasoning: true }, true));
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 8192 });
    expect(body.max_tokens).toBe(9192);
    expect(body.temperature).toBeUndefined();
    const roomy = bodyOf(adapter.buildRequest({ ...hello, thinking: "minimal", maxTokens: 32000 }, { ...offline, reasoning: true }, true));
    expect(roomy).toMatchObject({ max_tokens: 32000, thinking: { type: "enabled", budget_tokens: 1024 } });
    const off = bodyOf(adapter.buildRequest({ ...hello, thinking: "off", temperature: 0.5 }, { ...offline, reasoning: true }, true));
    expect(off.thinking).toBeUndefined();
    expect(off.temperature).toBe(0.5);
    expect(bodyOf(adapter.buildRequest({ ...hello, thinking: "high" }, { ...offline, reasoning: true }, true)).thinking).toEqual({ type: "enabled", budget_tokens: 24576 });
    expect(bodyOf(adapter.buildRequest({ ...hello, thinking: "low" }, { ...offline, reasoning: true }, true)).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  it("adds the provider's extra fields without letting them replace the request's own", () => {
    const body = bodyOf(adapter.buildRequest({ ...hello, model: "claude-other" }, { ...offline, extraBody: { top_k: 5, stream: false, metadata: { user_id: "u1" } } }, true));
    expect(body).toMatchObject({ top_k: 5, stream: true, model: "claude-other", metadata: { user_id: "u1" } });
  });

  it("refuses a request without messages before sending it", () => {
    expect(() => adapter.buildRequest({ messages: [] }, offline, true)).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_REQUEST" }));
    expect(() => adapter.buildRequest({ ...hello, maxTokens: 0 }, offline, true)).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_REQUEST" }));
  });
});

describe("anthropic: against the scripted fake server", () => {
  let server: FakeModelServer;
  beforeAll(async () => {
    server = await startFakeModelServer();
  });
  afterAll(async () => server.close());
  const at = () => endpointAt(server.baseUrls.anthropic);

  it("streams text and reports usage with the cache counts, ending with one done", async () => {
    server.push({ text: "Hello there, Ada!", chunkChars: 4, usage: { inputTokens: 120, outputTokens: 9, cacheReadTokens: 100, cacheWriteTokens: 7 } });
    const events = await streamEvents(adapter, { ...hello, system: [{ text: "sys", cache: true }] }, at());
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(1);
    expect(textOf(events)).toBe("Hello there, Ada!");
    expect(events.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 120, outputTokens: 9, cacheReadTokens: 100, cacheWriteTokens: 7 } });
    expect(doneOf(events)).toEqual({
      provider: "test",
      model: "test-model",
      text: "Hello there, Ada!",
      toolCalls: [],
      thinking: [],
      usage: { inputTokens: 120, outputTokens: 9, cacheReadTokens: 100, cacheWriteTokens: 7 },
      stopReason: "end",
    });
    expect(terminalCount(events)).toBe(1);
    const sent = server.requests.at(-1)!;
    expect(sent.route).toBe("/v1/messages");
    expect(sent.headers["x-api-key"]).toBe(TEST_KEY);
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent.body).toEqual(bodyOf(adapter.buildRequest({ ...hello, system: [{ text: "sys", cache: true }] }, at(), true)));
  });

  it("streams tool calls as start, argument deltas and a parsed end, after the text", async () => {
    server.push({ text: "Let me look.", toolCalls: [{ id: "toolu_a", name: "read", arguments: { path: "notes.md" } }, { id: "toolu_b", name: "list", arguments: {} }], chunkChars: 5 });
    const events = await streamEvents(adapter, { ...hello, tools: [readTool, listTool] }, at());
    expect(events.filter((e) => e.type === "tool_call_start")).toEqual([
      { type: "tool_call_start", index: 0, id: "toolu_a", name: "read" },
      { type: "tool_call_start", index: 1, id: "toolu_b", name: "list" },
    ]);
    const deltas = events.filter((e) => e.type === "tool_call_delta" && e.index === 0);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => (e.type === "tool_call_delta" ? e.text : "")).join("")).toBe('{"path":"notes.md"}');
    expect(events.filter((e) => e.type === "tool_call_end")).toEqual([
      { type: "tool_call_end", index: 0, call: { id: "toolu_a", name: "read", arguments: { path: "notes.md" } } },
      { type: "tool_call_end", index: 1, call: { id: "toolu_b", name: "list", arguments: {} } },
    ]);
    const done = doneOf(events);
    expect(done.stopReason).toBe("tool_calls");
    expect(done.text).toBe("Let me look.");
    expect(done.toolCalls.map((c) => c.id)).toEqual(["toolu_a", "toolu_b"]);
  });

  it("keeps a tool call whose argument text is not JSON, with the text in invalidArguments", async () => {
    server.push({ toolCalls: [{ id: "toolu_bad", name: "read", arguments: '{"path": "a.md",' }] });
    const done = doneOf(await streamEvents(adapter, hello, at()));
    expect(done.toolCalls).toEqual([{ id: "toolu_bad", name: "read", arguments: {}, invalidArguments: '{"path": "a.md",' }]);
  });

  it("reads a non-streamed answer with thinking, text, tool calls and usage", async () => {
    server.push({ thinking: "Think first.", thinkingSignature: "sig-x", redactedThinking: ["opaque"], text: "Here.", toolCalls: [{ id: "toolu_1", name: "read", arguments: { path: "a" } }], usage: { inputTokens: 3, outputTokens: 4 } });
    const response = await completeCall(adapter, hello, at());
    expect(response).toEqual({
      provider: "test",
      model: "test-model",
      text: "Here.",
      toolCalls: [{ id: "toolu_1", name: "read", arguments: { path: "a" } }],
      thinking: [{ text: "", redacted: "opaque" }, { text: "Think first.", signature: "sig-x" }],
      usage: { inputTokens: 3, outputTokens: 4 },
      stopReason: "tool_calls",
    });
    expect(server.requests.at(-1)!.stream).toBe(false);
  });

  it("sends the thinking blocks of a tool loop back unchanged, signature included, ahead of the tool call", async () => {
    const reasoning = { ...at(), reasoning: true };
    server.push({ thinking: "I need the file.", thinkingSignature: "sig-round-trip", toolCalls: [{ id: "toolu_rt", name: "read", arguments: { path: "a" } }] });
    server.push({ text: "It says A." });
    const first = doneOf(await streamEvents(adapter, { ...hello, tools: [readTool], thinking: "low" }, reasoning));
    expect(first.thinking).toEqual([{ text: "I need the file.", signature: "sig-round-trip" }]);
    const second = await streamEvents(
      adapter,
      {
        tools: [readTool],
        thinking: "low",
        messages: [
          ...hello.messages,
          { role: "assistant", content: first.text, toolCalls: first.toolCalls, thinking: first.thinking },
          { role: "tool", toolCallId: "toolu_rt", name: "read", content: "A" },
        ],
      },
      reasoning,
    );
    expect(doneOf(second).text).toBe("It says A.");
    const messages = server.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
    expect(messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I need the file.", signature: "sig-round-trip" },
        { type: "tool_use", id: "toolu_rt", name: "read", input: { path: "a" } },
      ],
    });
    expect(server.requests.at(-1)!.body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  it("classifies a 401 as auth, quoting the provider without ever quoting the key", async () => {
    server.push({ type: "error", status: 401, body: { type: "error", error: { type: "authentication_error", message: `invalid x-api-key ${TEST_KEY}` } } });
    const error = await streamError(adapter, hello, at());
    expect(error).toMatchObject({ kind: "auth", code: "ALEPH_E_PROVIDER_AUTH", status: 401, provider: "test" });
    expect(error.message).toContain("invalid x-api-key");
    expect(error.message).not.toContain(TEST_KEY);
    expect(error.fix).toMatch(/api_key/);
    expect(error.fix).toMatch(/providers\.toml/);
  });

  it("reads Retry-After on a 429 and calls it retryable", async () => {
    server.push({ type: "error", status: 429, headers: { "retry-after": "7" } });
    const error = await streamError(adapter, hello, at());
    expect(error).toMatchObject({ kind: "retryable", status: 429, retryAfterMs: 7000, code: "ALEPH_E_PROVIDER_RATE_LIMIT" });
    expect(error.message).toContain("fake error 429");
  });

  it("prefers retry-after-ms, and reads Retry-After given as an HTTP date", async () => {
    server.push({ type: "error", status: 529, headers: { "retry-after-ms": "1500", "retry-after": "9" } });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "retryable", retryAfterMs: 1500 });
    server.push({ type: "error", status: 503, headers: { "retry-after": new Date(Date.now() + 120_000).toUTCString() } });
    const dated = await streamError(adapter, hello, at());
    expect(dated.retryAfterMs).toBeGreaterThan(100_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it("classifies billing, not-found and invalid requests by status and by the provider's words", async () => {
    server.push({ type: "error", status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API." } } });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "billing", code: "ALEPH_E_PROVIDER_BILLING" });
    server.push({ type: "error", status: 402 });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "billing" });
    server.push({ type: "error", status: 404, body: { type: "error", error: { type: "not_found_error", message: "model: claude-nope" } } });
    const missing = await streamError(adapter, hello, at());
    expect(missing).toMatchObject({ kind: "not_found", code: "ALEPH_E_PROVIDER_NOT_FOUND" });
    expect(missing.message).toContain("model: claude-nope");
    server.push({ type: "error", status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "messages: roles must alternate" } } });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "invalid_request", code: "ALEPH_E_PROVIDER_REQUEST" });
    server.push({ type: "error", status: 403 });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "auth" });
  });

  it("quotes an error body that is not JSON, such as a proxy's HTML page", async () => {
    server.push({ type: "error", status: 502, body: "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>" });
    const error = await streamError(adapter, hello, at());
    expect(error).toMatchObject({ kind: "retryable", code: "ALEPH_E_PROVIDER_HTTP" });
    expect(error.message).toContain("<h1>502 Bad Gateway</h1>");
    expect(error.message).not.toContain("\n");
  });

  it("ends a stream cut mid-way with one error of kind stream", async () => {
    server.push({ text: "This answer will not arrive whole.", chunkChars: 3, cutAfterChunks: 6 });
    const events = await streamEvents(adapter, hello, at());
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(errorOf(events)).toMatchObject({ kind: "stream", code: "ALEPH_E_PROVIDER_STREAM", provider: "test" });
    expect(terminalCount(events)).toBe(1);
  });

  it("turns an error event inside the stream into an error of the kind its type says", async () => {
    server.push({
      type: "raw",
      chunks: [
        'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ],
    });
    const error = errorOf(await streamEvents(adapter, hello, at()));
    expect(error).toMatchObject({ kind: "retryable", provider: "test" });
    expect(error.message).toContain("Overloaded");
  });
});

describe("anthropic: stream bytes a server should not send", () => {
  const endpoint = offline;
  const frames = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":2,"output_tokens":1}}}\n\n',
    ": a comment the parser must skip\n\n",
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo wörld ✓"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":3}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];

  it("reads events split at every byte, multi-byte characters included", async () => {
    const events = await collect(adapter.parseStream(byteByByte(frames.join("")), endpoint));
    expect(textOf(events)).toBe("héllo wörld ✓");
    expect(doneOf(events)).toMatchObject({ stopReason: "max_tokens", usage: { inputTokens: 2, outputTokens: 3 } });
  });

  it("reads \\r\\n line endings", async () => {
    const events = await collect(adapter.parseStream(bytes(frames.join("").replace(/\n/g, "\r\n")), endpoint));
    expect(doneOf(events).text).toBe("héllo wörld ✓");
  });

  it("ends with a stream error on an event whose data is not JSON", async () => {
    const events = await collect(adapter.parseStream(bytes(frames[0]!, "event: content_block_delta\ndata: {not json\n\n", frames[6]!), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "stream", code: "ALEPH_E_PROVIDER_STREAM" });
    expect(errorOf(events).message).toContain("{not json");
    expect(terminalCount(events)).toBe(1);
  });

  it("ends with a stream error when the body ends before message_stop", async () => {
    const events = await collect(adapter.parseStream(bytes(...frames.slice(0, 5)), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
    expect(errorOf(events).message).toContain("message_stop");
  });

  it("ends with a stream error when reading the body fails", async () => {
    const events = await collect(adapter.parseStream(droppedAfter(frames.slice(0, 4).join("")), endpoint));
    expect(textOf(events)).toBe("héllo wörld ✓");
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
    expect(errorOf(events).message).toContain("UND_ERR_SOCKET");
  });

  it("ends with a stream error on tool input for a block that is not a tool", async () => {
    const bad = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}\n\n';
    const events = await collect(adapter.parseStream(bytes(frames[0]!, frames[2]!, bad), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
  });

  it("takes a tool's input from its start block when no input deltas follow", async () => {
    const start = 'data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"read","input":{"path":"x"}}}\n\n';
    const stop = 'data: {"type":"content_block_stop","index":0}\n\n';
    const events = await collect(adapter.parseStream(bytes(frames[0]!, start, stop, frames[6]!), endpoint));
    expect(doneOf(events).toolCalls).toEqual([{ id: "t", name: "read", arguments: { path: "x" } }]);
  });

  it("refuses a non-streamed body that is not a message", () => {
    expect(() => adapter.parseResponse({ hello: "world" }, endpoint)).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
    expect(() => adapter.parseResponse("text", endpoint)).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
  });

  it("reads text and token counts through a custom protocol's response paths", () => {
    const custom = { ...endpoint, responsePaths: { content: "result.text", inputTokens: "meter.in", outputTokens: "meter.out" } };
    expect(adapter.parseResponse({ result: { text: "hi" }, meter: { in: 4, out: 2 } }, custom)).toMatchObject({ text: "hi", usage: { inputTokens: 4, outputTokens: 2 } });
    const error = adapter.parseError(500, JSON.stringify({ failure: { why: "disk full" } }), new Headers(), { ...endpoint, responsePaths: { error: "failure.why" } });
    expect(error.message).toContain("disk full");
  });
});

describe("anthropic: against aimock (an independent implementation of the API)", () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = new LLMock({ port: 0, host: "127.0.0.1", chunkSize: 4 });
    mock.on({ toolCallId: "toolu_think" }, { content: "The file says A." });
    mock.onMessage("think then read", { toolCalls: [{ id: "toolu_think", name: "read", arguments: '{"path":"a.md"}' }], reasoning: "I should read a.md first.", reasoningSignature: "sig-aimock" });
    mock.onMessage("say hello", { content: "Hello from aimock!", usage: { input_tokens: 11, output_tokens: 4 } });
    mock.onMessage("weather", { toolCalls: [{ id: "toolu_w", name: "get_weather", arguments: '{"city":"Paris","days":2}' }] });
    mock.onMessage("slow down", { error: { message: "Number of requests has exceeded your rate limit", type: "rate_limit_error" }, status: 429, retryAfter: 12 });
    mock.onMessage("bad key", { error: { message: "invalid x-api-key", type: "authentication_error" }, status: 401 });
    // Without a per-chunk latency aimock writes every chunk at once and its destroy() discards
    // them unsent: the client then sees a connection reset before the headers, not a cut stream.
    mock.onMessage("cut me off", { content: "This is a long answer that gets cut." }, { truncateAfterChunks: 5, latency: 2 });
    await mock.start();
  });
  afterAll(async () => mock.stop());
  const at = (overrides = {}) => endpointAt(mock.url, { model: "claude-sonnet-4-5", ...overrides });
  const ask = (content: string): ModelRequest => ({ messages: [{ role: "user", content }], tools: [readTool] });

  it("streams text with usage", async () => {
    const events = await streamEvents(adapter, ask("say hello"), at());
    expect(textOf(events)).toBe("Hello from aimock!");
    expect(doneOf(events)).toMatchObject({ text: "Hello from aimock!", stopReason: "end", usage: { inputTokens: 11, outputTokens: 4 } });
  });

  it("reads the same answer non-streamed", async () => {
    const response = await completeCall(adapter, ask("say hello"), at());
    expect(response).toMatchObject({ text: "Hello from aimock!", stopReason: "end", usage: { inputTokens: 11, outputTokens: 4 } });
  });

  it("streams and reads a tool call", async () => {
    const streamed = doneOf(await streamEvents(adapter, ask("weather"), at()));
    expect(streamed).toMatchObject({ stopReason: "tool_calls", toolCalls: [{ id: "toolu_w", name: "get_weather", arguments: { city: "Paris", days: 2 } }] });
    const whole = await completeCall(adapter, ask("weather"), at());
    expect(whole).toMatchObject({ stopReason: "tool_calls", toolCalls: [{ id: "toolu_w", name: "get_weather", arguments: { city: "Paris", days: 2 } }] });
  });

  it("reads its 429 with Retry-After and its 401", async () => {
    expect(await streamError(adapter, ask("slow down"), at())).toMatchObject({ kind: "retryable", status: 429, retryAfterMs: 12_000 });
    const auth = await completeCall(adapter, ask("bad key"), at());
    expect(isErrorInfo(auth) && auth).toMatchObject({ kind: "auth", code: "ALEPH_E_PROVIDER_AUTH" });
  });

  it("ends its truncated stream with an error of kind stream", async () => {
    const events = await streamEvents(adapter, ask("cut me off"), at());
    // The last chunk written before aimock's destroy() may or may not get out; the ones before it do.
    expect(textOf(events)).toMatch(/^This/);
    expect(textOf(events).length).toBeLessThan("This is a long answer that gets cut.".length);
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
    expect(terminalCount(events)).toBe(1);
  });

  it("round-trips thinking through a tool loop that aimock's strict mode checks (leading signed thinking block)", async () => {
    const strict = at({ reasoning: true, headers: { "x-aimock-strict": "true" } });
    const first = doneOf(await streamEvents(adapter, { ...ask("think then read"), thinking: "low" }, strict));
    expect(first.thinking).toEqual([{ text: "I should read a.md first.", signature: "sig-aimock" }]);
    expect(first.toolCalls).toEqual([{ id: "toolu_think", name: "read", arguments: { path: "a.md" } }]);
    const loop = (thinking: typeof first.thinking): ModelRequest => ({
      tools: [readTool],
      thinking: "low",
      messages: [
        { role: "user", content: "think then read" },
        { role: "assistant", content: first.text, toolCalls: first.toolCalls, thinking },
        { role: "tool", toolCallId: "toolu_think", name: "read", content: "A" },
      ],
    });
    expect(doneOf(await streamEvents(adapter, loop(first.thinking), strict)).text).toBe("The file says A.");
    // The check is live: the same loop without the thinking block is refused.
    expect(await streamError(adapter, loop([]), strict)).toMatchObject({ kind: "invalid_request", status: 400 });
  });
});
