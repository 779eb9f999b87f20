import { LLMock } from "@copilotkit/aimock";
import type { ModelRequest } from "@aleph/plugin-sdk";
import { startFakeModelServer, type FakeModelServer } from "@aleph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiAdapter as adapter } from "../src/protocols/openai.js";
import {
  TEST_KEY,
  bodyOf,
  byteByByte,
  bytes,
  collect,
  completeCall,
  doneOf,
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
const offline = endpointAt("http://127.0.0.1:9/v1");

async function embed(baseUrl: string, texts: string[], endpointOverrides = {}): Promise<number[][]> {
  const endpoint = endpointAt(baseUrl, endpointOverrides);
  const wire = adapter.buildEmbedRequest!(texts, "embed-model", endpoint);
  const response = await fetch(wire.url, { method: "POST", headers: wire.headers, body: wire.body });
  if (!response.ok) throw new Error(adapter.parseError(response.status, await response.text(), response.headers, endpoint).message);
  return adapter.parseEmbedResponse!(await response.json());
}

describe("openai: the request sent", () => {
  it("sends the system prompt as the first message and a tool loop as Chat Completions wants it", () => {
    const wire = adapter.buildRequest(
      {
        system: [{ text: "You are Aleph.", cache: true }, { text: "Today is Monday." }],
        tools: [readTool],
        messages: [
          { role: "user", content: "Read a and b" },
          {
            role: "assistant",
            content: "",
            thinking: [{ text: "not sent back" }],
            toolCalls: [
              { id: "call_1", name: "read", arguments: { path: "a" } },
              { id: "call_2", name: "read", arguments: {}, invalidArguments: "{path:" },
            ],
          },
          { role: "tool", toolCallId: "call_1", name: "read", content: "A" },
          { role: "tool", toolCallId: "call_2", name: "read", content: "invalid arguments", isError: true },
          { role: "assistant", content: "Done." },
        ],
      },
      offline,
      true,
    );
    expect(wire.url).toBe("http://127.0.0.1:9/v1/chat/completions");
    expect(bodyOf(wire)).toEqual({
      model: "test-model",
      max_tokens: 4096,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: "function", function: { name: "read", description: "Reads a file", parameters: readTool.parameters } }],
      messages: [
        { role: "system", content: "You are Aleph.\n\nToday is Monday." },
        { role: "user", content: "Read a and b" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "read", arguments: '{"path":"a"}' } },
            { id: "call_2", type: "function", function: { name: "read", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "A" },
        { role: "tool", tool_call_id: "call_2", content: "invalid arguments" },
        { role: "assistant", content: "Done." },
      ],
    });
  });

  it("asks for nothing streamed when not streaming, and sends the temperature", () => {
    const body = bodyOf(adapter.buildRequest({ ...hello, temperature: 0.2, maxTokens: 50 }, offline, false));
    expect(body).toEqual({ model: "test-model", messages: [{ role: "user", content: "hello" }], max_tokens: 50, temperature: 0.2 });
  });

  it("gives a reasoning provider max_completion_tokens, no temperature, and reasoning_effort unless thinking is off", () => {
    const reasoning = { ...offline, reasoning: true };
    const body = bodyOf(adapter.buildRequest({ ...hello, thinking: "minimal", temperature: 0.2, maxTokens: 900 }, reasoning, true));
    expect(body).toMatchObject({ max_completion_tokens: 900, reasoning_effort: "minimal" });
    expect(body.max_tokens).toBeUndefined();
    expect(body.temperature).toBeUndefined();
    for (const level of ["low", "medium", "high"] as const) expect(bodyOf(adapter.buildRequest({ ...hello, thinking: level }, reasoning, true)).reasoning_effort).toBe(level);
    expect(bodyOf(adapter.buildRequest({ ...hello, thinking: "off" }, reasoning, true)).reasoning_effort).toBeUndefined();
    expect(bodyOf(adapter.buildRequest({ ...hello, thinking: "high" }, offline, true)).reasoning_effort).toBeUndefined();
    expect(bodyOf(adapter.buildRequest({ ...hello, temperature: 0.6 }, { ...reasoning, extraBody: { temperature: 1 } }, true)).temperature).toBe(1);
  });

  it("sends the key as a bearer token, or in the header the provider names", () => {
    expect(adapter.buildRequest(hello, offline, true).headers).toEqual({ "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${TEST_KEY}` });
    expect(adapter.buildRequest(hello, { ...offline, authHeader: "api-key", authPrefix: "" }, false).headers).toEqual({ "content-type": "application/json", "api-key": TEST_KEY });
    expect(adapter.buildRequest(hello, { ...offline, apiKey: undefined }, false).headers).toEqual({ "content-type": "application/json" });
  });

  it("builds an embeddings request at {base}/embeddings", () => {
    const wire = adapter.buildEmbedRequest!(["a", "b"], "text-embedding-3-small", offline);
    expect(wire.url).toBe("http://127.0.0.1:9/v1/embeddings");
    expect(bodyOf(wire)).toEqual({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(wire.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });
});

describe("openai: against the scripted fake server", () => {
  let server: FakeModelServer;
  beforeAll(async () => {
    server = await startFakeModelServer();
  });
  afterAll(async () => server.close());
  const at = (overrides = {}) => endpointAt(server.baseUrls.openai, overrides);

  it("streams text and takes the usage chunk that include_usage asks for", async () => {
    server.push({ text: "Hello there, Ada!", chunkChars: 3, usage: { inputTokens: 40, outputTokens: 6, cacheReadTokens: 32 } });
    const events = await streamEvents(adapter, hello, at());
    expect(textOf(events)).toBe("Hello there, Ada!");
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(1);
    expect(events.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 40, outputTokens: 6, cacheReadTokens: 32 } });
    expect(doneOf(events)).toEqual({ provider: "test", model: "test-model", text: "Hello there, Ada!", toolCalls: [], thinking: [], usage: { inputTokens: 40, outputTokens: 6, cacheReadTokens: 32 }, stopReason: "end" });
    expect(terminalCount(events)).toBe(1);
    const sent = server.requests.at(-1)!;
    expect(sent.route).toBe("/v1/chat/completions");
    expect(sent.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(sent.body.stream_options).toEqual({ include_usage: true });
  });

  it("assembles tool calls from deltas by index, and streams reasoning_content as thinking", async () => {
    server.push({ thinking: "Two files.", text: "Reading.", toolCalls: [{ id: "call_a", name: "read", arguments: { path: "a.md" } }, { id: "call_b", name: "read", arguments: { path: "b.md" } }], chunkChars: 4 });
    const events = await streamEvents(adapter, { ...hello, tools: [readTool] }, at());
    expect(events.filter((e) => e.type === "thinking").map((e) => (e.type === "thinking" ? e.text : "")).join("")).toBe("Two files.");
    expect(events.filter((e) => e.type === "tool_call_start")).toEqual([
      { type: "tool_call_start", index: 0, id: "call_a", name: "read" },
      { type: "tool_call_start", index: 1, id: "call_b", name: "read" },
    ]);
    expect(events.filter((e) => e.type === "tool_call_delta" && e.index === 1).length).toBeGreaterThan(1);
    const done = doneOf(events);
    expect(done.toolCalls).toEqual([
      { id: "call_a", name: "read", arguments: { path: "a.md" } },
      { id: "call_b", name: "read", arguments: { path: "b.md" } },
    ]);
    expect(done).toMatchObject({ text: "Reading.", thinking: [{ text: "Two files." }], stopReason: "tool_calls" });
  });

  it("keeps a tool call whose arguments are not JSON, with the text in invalidArguments", async () => {
    server.push({ toolCalls: [{ id: "call_bad", name: "read", arguments: '{"path": ' }] });
    expect(doneOf(await streamEvents(adapter, hello, at())).toolCalls).toEqual([{ id: "call_bad", name: "read", arguments: {}, invalidArguments: '{"path": ' }]);
  });

  it("reads a non-streamed completion with tool calls and usage", async () => {
    server.push({ text: "Sure.", toolCalls: [{ id: "call_1", name: "read", arguments: { path: "x" } }], usage: { inputTokens: 7, outputTokens: 3 } });
    expect(await completeCall(adapter, hello, at())).toEqual({
      provider: "test",
      model: "test-model",
      text: "Sure.",
      toolCalls: [{ id: "call_1", name: "read", arguments: { path: "x" } }],
      thinking: [],
      usage: { inputTokens: 7, outputTokens: 3 },
      stopReason: "tool_calls",
    });
  });

  it("maps length and content_filter to max_tokens and refusal", async () => {
    server.push({ text: "cut", stopReason: "max_tokens" }, { text: "no", stopReason: "refusal" });
    expect(doneOf(await streamEvents(adapter, hello, at())).stopReason).toBe("max_tokens");
    expect(doneOf(await streamEvents(adapter, hello, at())).stopReason).toBe("refusal");
  });

  it("classifies a 429 that says insufficient_quota as billing, and a plain 429 as retryable with its Retry-After", async () => {
    server.push({ type: "error", status: 429, body: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", code: "insufficient_quota" } } });
    const quota = await streamError(adapter, hello, at());
    expect(quota).toMatchObject({ kind: "billing", code: "ALEPH_E_PROVIDER_BILLING", status: 429 });
    expect(quota.message).toContain("You exceeded your current quota");
    server.push({ type: "error", status: 429, headers: { "retry-after": "3" }, body: { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } } });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "retryable", retryAfterMs: 3000 });
  });

  it("classifies auth, not-found, invalid and server errors, never quoting the key", async () => {
    server.push({ type: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${TEST_KEY}.`, type: "invalid_request_error", code: "invalid_api_key" } } });
    const auth = await streamError(adapter, hello, at());
    expect(auth).toMatchObject({ kind: "auth", code: "ALEPH_E_PROVIDER_AUTH" });
    expect(auth.message).toContain("Incorrect API key provided: [redacted]");
    expect(JSON.stringify(auth)).not.toContain(TEST_KEY);
    server.push({ type: "error", status: 404, body: { error: { message: "The model `gpt-nope` does not exist", type: "invalid_request_error", code: "model_not_found" } } });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "not_found" });
    server.push({ type: "error", status: 422, body: { object: "error", message: "max_tokens is too large", type: "BadRequestError", code: 422 } });
    const invalid = await streamError(adapter, hello, at());
    expect(invalid).toMatchObject({ kind: "invalid_request" });
    expect(invalid.message).toContain("max_tokens is too large");
    server.push({ type: "error", status: 500, body: "Internal Server Error" });
    expect(await streamError(adapter, hello, at())).toMatchObject({ kind: "retryable", status: 500 });
  });

  it("never quotes a key sent in a custom header either", async () => {
    const secret = "gw-secret-abcdef123456";
    server.push({ type: "error", status: 403, body: { error: { message: `token ${secret} has no access` } } });
    const error = await streamError(adapter, hello, at({ apiKey: undefined, headers: { "X-Api-Key": secret } }));
    expect(error.message).not.toContain(secret);
  });

  it("ends a stream cut mid-way with one error of kind stream", async () => {
    server.push({ text: "An answer that never finishes.", chunkChars: 2, cutAfterChunks: 5 });
    const events = await streamEvents(adapter, hello, at());
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(errorOf(events)).toMatchObject({ kind: "stream", code: "ALEPH_E_PROVIDER_STREAM" });
    expect(terminalCount(events)).toBe(1);
  });

  it("gets embeddings in input order, and reads an embeddings error", async () => {
    const vectors = await embed(server.baseUrls.openai, ["alpha", "beta"]);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(8);
    expect(await embed(server.baseUrls.openai, ["alpha"])).toEqual([vectors[0]]);
    expect(server.requests.at(-1)).toMatchObject({ route: "/v1/embeddings", body: { model: "embed-model", input: ["alpha"] } });
    server.push({ type: "error", status: 400, body: { error: { message: "input too long" } } });
    await expect(embed(server.baseUrls.openai, ["x"])).rejects.toThrow(/input too long/);
  });
});

describe("openai: stream bytes a server should not send", () => {
  const endpoint = offline;
  const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  it("reads chunks split at every byte", async () => {
    const events = await collect(adapter.parseStream(byteByByte(chunk({ content: "grüß " }) + chunk({ content: "dich ✓" }) + chunk({}, "stop") + "data: [DONE]\n\n"), endpoint));
    expect(doneOf(events)).toMatchObject({ text: "grüß dich ✓", stopReason: "end" });
  });

  it("ends with a stream error when the body ends without a finish_reason or [DONE]", async () => {
    const events = await collect(adapter.parseStream(bytes(chunk({ content: "half" })), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
    expect(textOf(events)).toBe("half");
  });

  it("takes a stream that gave its finish_reason but no [DONE] as whole", async () => {
    const events = await collect(adapter.parseStream(bytes(chunk({ content: "whole" }), chunk({}, "stop")), endpoint));
    expect(doneOf(events)).toMatchObject({ text: "whole", stopReason: "end" });
  });

  it("ends with a stream error on a chunk that is not JSON", async () => {
    const events = await collect(adapter.parseStream(bytes(chunk({ content: "a" }), "data: {oops\n\n", "data: [DONE]\n\n"), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
    expect(errorOf(events).message).toContain("{oops");
    expect(terminalCount(events)).toBe(1);
  });

  it("turns an error object sent inside the stream into an error", async () => {
    const events = await collect(adapter.parseStream(bytes(chunk({ content: "a" }), `data: ${JSON.stringify({ error: { message: "upstream overloaded", type: "server_error" } })}\n\n`), endpoint));
    expect(errorOf(events)).toMatchObject({ kind: "retryable" });
    expect(errorOf(events).message).toContain("upstream overloaded");
  });

  it("reads a tool call sent whole in one delta without an index or id, and `stop` with tool calls as a tool turn", async () => {
    const whole = chunk({ tool_calls: [{ function: { name: "read", arguments: '{"path":"z"}' } }] });
    const events = await collect(adapter.parseStream(bytes(whole, chunk({}, "stop"), "data: [DONE]\n\n"), endpoint));
    expect(doneOf(events)).toMatchObject({ toolCalls: [{ id: "call_0", name: "read", arguments: { path: "z" } }], stopReason: "tool_calls" });
  });

  it("reads OpenRouter's `reasoning` deltas as thinking", async () => {
    const events = await collect(adapter.parseStream(bytes(chunk({ reasoning: "hmm" }), chunk({ content: "ok" }, "stop"), "data: [DONE]\n\n"), endpoint));
    expect(doneOf(events)).toMatchObject({ thinking: [{ text: "hmm" }], text: "ok" });
  });

  it("refuses a non-streamed body without choices, and embeddings that are not numbers", () => {
    expect(() => adapter.parseResponse({ object: "list" }, endpoint)).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
    expect(() => adapter.parseEmbedResponse!({ data: [{ index: 0, embedding: "AAAA" }] })).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
    expect(() => adapter.parseEmbedResponse!({})).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
    expect(adapter.parseEmbedResponse!({ data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }] })).toEqual([[1], [2]]);
  });

  it("reads content given as a list of text parts", () => {
    expect(adapter.parseResponse({ choices: [{ message: { content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, finish_reason: "stop" }] }, endpoint).text).toBe("ab");
  });
});

describe("openai: against aimock (an independent implementation of the API)", () => {
  let mock: LLMock;
  beforeAll(async () => {
    mock = new LLMock({ port: 0, host: "127.0.0.1", chunkSize: 4 });
    mock.onMessage("say hello", { content: "Hello from aimock!", usage: { prompt_tokens: 13, completion_tokens: 5 } });
    mock.onMessage("weather", { toolCalls: [{ id: "call_w", name: "get_weather", arguments: '{"city":"Paris","days":2}' }] });
    mock.onMessage("ponder", { content: "42", reasoning: "Let me think about it." });
    mock.onMessage("slow down", { error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" }, status: 429, retryAfter: 20 });
    mock.onMessage("no money", { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" }, status: 429 });
    // A per-chunk latency lets the chunks before the cut reach the client (see the anthropic test).
    mock.onMessage("cut me off", { content: "This is a long answer that gets cut." }, { truncateAfterChunks: 5, latency: 2 });
    mock.onEmbedding("embed me", { embedding: [0.25, -0.5, 1] });
    await mock.start();
  });
  afterAll(async () => mock.stop());
  const at = (overrides = {}) => endpointAt(`${mock.url}/v1`, { model: "gpt-4o", ...overrides });
  const ask = (content: string): ModelRequest => ({ messages: [{ role: "user", content }], tools: [readTool] });

  it("streams text with the usage chunk, and reads the same answer non-streamed", async () => {
    const events = await streamEvents(adapter, ask("say hello"), at());
    expect(doneOf(events)).toMatchObject({ text: "Hello from aimock!", stopReason: "end", usage: { inputTokens: 13, outputTokens: 5 } });
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(1);
    expect(await completeCall(adapter, ask("say hello"), at())).toMatchObject({ text: "Hello from aimock!", stopReason: "end", usage: { inputTokens: 13, outputTokens: 5 } });
  });

  it("streams and reads a tool call", async () => {
    const call = { id: "call_w", name: "get_weather", arguments: { city: "Paris", days: 2 } };
    expect(doneOf(await streamEvents(adapter, ask("weather"), at()))).toMatchObject({ stopReason: "tool_calls", toolCalls: [call] });
    expect(await completeCall(adapter, ask("weather"), at())).toMatchObject({ stopReason: "tool_calls", toolCalls: [call] });
  });

  it("reads reasoning_content as thinking", async () => {
    const done = doneOf(await streamEvents(adapter, ask("ponder"), at({ model: "deepseek-reasoner" })));
    expect(done).toMatchObject({ text: "42", thinking: [{ text: "Let me think about it." }] });
  });

  it("reads its 429s: Retry-After for a rate limit, billing for insufficient_quota", async () => {
    expect(await streamError(adapter, ask("slow down"), at())).toMatchObject({ kind: "retryable", retryAfterMs: 20_000 });
    const quota = await completeCall(adapter, ask("no money"), at());
    expect(isErrorInfo(quota) && quota).toMatchObject({ kind: "billing" });
  });

  it("ends its truncated stream with an error of kind stream", async () => {
    const events = await streamEvents(adapter, ask("cut me off"), at());
    expect(textOf(events)).toMatch(/^This/);
    expect(errorOf(events)).toMatchObject({ kind: "stream" });
  });

  it("gets its embeddings", async () => {
    expect(await embed(`${mock.url}/v1`, ["embed me", "embed me too"])).toEqual([
      [0.25, -0.5, 1],
      [0.25, -0.5, 1],
    ]);
  });
});
