import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isAlephError, type ModelErrorInfo, type ModelStreamEvent } from "@aleph/plugin-sdk";
import { startFakeModelServer, type FakeModelServer, type FakeTurn } from "@aleph/testing";
import { afterEach, describe, expect, it } from "vitest";
import { Cooldowns } from "../src/calls/cooldowns.js";
import { collect, doneOf, errorOf, textOf } from "./protocol-harness.js";
import { hello, openaiAt, providersConfig, serviceFor, timedFetch } from "./service-harness.js";

/*
 * The providers service end to end, short of the kernel: retries with backoff and Retry-After,
 * the two clocks, failover with its reason, cooldowns, cancellation and the config errors — each
 * against real servers on 127.0.0.1, through the real adapters and the real fetch.
 */

const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fakeModel(turns: FakeTurn[]): Promise<FakeModelServer> {
  const server = await startFakeModelServer(turns);
  servers.push(server);
  return server;
}

const failovers = (events: ModelStreamEvent[]) => events.filter((e): e is Extract<ModelStreamEvent, { type: "failover" }> => e.type === "failover");
const errorTurns = (status: number, count: number, headers?: Record<string, string>): FakeTurn[] =>
  Array.from({ length: count }, (): FakeTurn => ({ type: "error", status, ...(headers ? { headers } : {}) }));

describe("retries on the same provider", () => {
  it("waits out a 429's Retry-After: 1, then the same provider answers", async () => {
    const model = await fakeModel([{ type: "error", status: 429, headers: { "retry-after": "1" } }, { text: "after the wait" }]);
    const fetch = timedFetch();
    const { service, log } = serviceFor(providersConfig({ only: openaiAt(model) }), { fetch });
    const events = await collect(service.stream(hello));
    expect(doneOf(events)).toMatchObject({ provider: "only", text: "after the wait" });
    expect(failovers(events)).toEqual([]);
    expect(model.requests).toHaveLength(2);
    // The server asked for one second; the backoff policy alone would have waited at most 20 ms.
    expect(fetch.sentAt[1]! - fetch.sentAt[0]!).toBeGreaterThanOrEqual(900);
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: "retrying model call", fields: expect.objectContaining({ delayMs: 1000, status: 429 }) }));
  });

  it("retries a 500, and the same provider answers", async () => {
    const model = await fakeModel([{ type: "error", status: 500 }, { text: "recovered" }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model), spare: openaiAt(model) }));
    const events = await collect(service.stream(hello));
    expect(doneOf(events)).toMatchObject({ provider: "only", text: "recovered" });
    expect(failovers(events)).toEqual([]);
    expect(model.requests).toHaveLength(2);
  });

  it("makes max_retries + 1 requests and no more, then ends with the last error", async () => {
    const model = await fakeModel(errorTurns(503, 6));
    const { service } = serviceFor(providersConfig({ only: openaiAt(model, { max_retries: 2 }) }));
    const error = errorOf(await collect(service.stream(hello)));
    expect(error).toMatchObject({ kind: "retryable", code: "ALEPH_E_PROVIDER_HTTP", status: 503, provider: "only" });
    expect(model.requests).toHaveLength(3);
    expect(model.pending()).toBe(3);
  });

  it("with max_retries = 0 makes exactly one request", async () => {
    const model = await fakeModel(errorTurns(503, 2));
    const { service } = serviceFor(providersConfig({ only: openaiAt(model, { max_retries: 0 }) }));
    expect(errorOf(await collect(service.stream(hello)))).toMatchObject({ status: 503 });
    expect(model.requests).toHaveLength(1);
  });

  it("times out a first token slower than first_token_timeout_ms, retries, and the retry answers", async () => {
    const model = await fakeModel([{ text: "too late", firstTokenDelayMs: 1500 }, { text: "in time" }]);
    const { service, log } = serviceFor(providersConfig({ only: openaiAt(model, { first_token_timeout_ms: 100 }) }));
    const events = await collect(service.stream(hello));
    expect(doneOf(events).text).toBe("in time");
    expect(textOf(events)).toBe("in time");
    expect(model.requests).toHaveLength(2);
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: "retrying model call", fields: expect.objectContaining({ reason: expect.stringMatching(/no first token within 100 ms/) }) }));
  });

  it("a first-token timeout with no retry left is a timeout error that says which setting to raise", async () => {
    const model = await fakeModel([{ text: "too late", firstTokenDelayMs: 1500 }]);
    const { service } = serviceFor(providersConfig({ slow: openaiAt(model, { first_token_timeout_ms: 100, max_retries: 0 }) }));
    const error = errorOf(await collect(service.stream(hello)));
    expect(error).toMatchObject({ kind: "timeout", code: "ALEPH_E_TIMEOUT", provider: "slow" });
    expect(error.message).toMatch(/no first token within 100 ms/);
    expect(error.fix).toMatch(/first_token_timeout_ms in providers\.toml \[providers\.slow\]/);
  });

  it("retries a stream cut before any text was streamed", async () => {
    // Frame 1 of an openai stream is the role announcement, which carries no text.
    const model = await fakeModel([{ text: "first attempt", cutAfterChunks: 1 }, { text: "second attempt" }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model) }));
    const events = await collect(service.stream(hello));
    expect(textOf(events)).toBe("second attempt");
    expect(doneOf(events).text).toBe("second attempt");
    expect(model.requests).toHaveLength(2);
  });
});

describe("failover to the next provider", () => {
  it("moves on after a 503 every time, with a failover event giving the reason, and the second provider answers", async () => {
    const down = await fakeModel(errorTurns(503, 5));
    const up = await fakeModel([{ text: "from the second" }]);
    const { service } = serviceFor(providersConfig({ first: openaiAt(down, { max_retries: 1 }), second: openaiAt(up) }));
    const events = await collect(service.stream(hello));
    expect(failovers(events)).toEqual([{ type: "failover", from: "first", to: "second", reason: expect.stringMatching(/ALEPH_E_PROVIDER_HTTP \(HTTP 503\): first answered HTTP 503/) }]);
    expect(doneOf(events)).toMatchObject({ provider: "second", text: "from the second" });
    expect(down.requests).toHaveLength(2);
    // The failover event comes before any of the second provider's answer.
    expect(events.findIndex((e) => e.type === "failover")).toBeLessThan(events.findIndex((e) => e.type === "text"));
  });

  it("moves on at once after a 401: exactly one request to the first provider", async () => {
    const denied = await fakeModel(errorTurns(401, 3));
    const up = await fakeModel([{ text: "from the second" }]);
    const { service } = serviceFor(providersConfig({ first: openaiAt(denied, { api_key: "sk-wrong-0123456789" }), second: openaiAt(up) }));
    const events = await collect(service.stream(hello));
    expect(denied.requests).toHaveLength(1);
    expect(failovers(events)).toEqual([expect.objectContaining({ from: "first", to: "second", reason: expect.stringMatching(/^ALEPH_E_PROVIDER_AUTH \(HTTP 401\)/) })]);
    expect(doneOf(events).provider).toBe("second");
  });

  it("does not wait for a Retry-After longer than maxRetryAfterMs: it moves on", async () => {
    const busy = await fakeModel([{ type: "error", status: 429, headers: { "retry-after": "30" } }, { text: "would have been the retry" }]);
    const up = await fakeModel([{ text: "from the second" }]);
    const { service, log } = serviceFor(providersConfig({ busy: openaiAt(busy), second: openaiAt(up) }));
    const started = performance.now();
    const events = await collect(service.stream(hello));
    // Thirty seconds were asked for: the call is over long before that.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(busy.requests).toHaveLength(1);
    expect(failovers(events)).toEqual([expect.objectContaining({ from: "busy", to: "second", reason: expect.stringMatching(/HTTP 429/) })]);
    expect(doneOf(events).provider).toBe("second");
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: expect.stringMatching(/wait longer than a turn should/), fields: expect.objectContaining({ retryAfterMs: 30_000 }) }));
  });

  it("a stream cut after text was streamed ends with an error and is neither retried nor failed over", async () => {
    const cut = await fakeModel([{ text: "Hello there, this is cut", chunkChars: 4, cutAfterChunks: 3 }, { text: "a retry" }]);
    const other = await fakeModel([{ text: "another provider" }]);
    const { service } = serviceFor(providersConfig({ cut: openaiAt(cut), other: openaiAt(other) }));
    const events = await collect(service.stream(hello));
    expect(textOf(events)).toBe("Hello th");
    expect(errorOf(events)).toMatchObject({ kind: "stream", provider: "cut" });
    expect(failovers(events)).toEqual([]);
    expect(cut.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it("puts a provider that failed twice in a row last on the next call, and lists it as cooling down", async () => {
    const flaky = await fakeModel(errorTurns(401, 4));
    const steady = await fakeModel([{ text: "one" }, { text: "two" }, { text: "three" }]);
    const { service } = serviceFor(providersConfig({ flaky: openaiAt(flaky), steady: openaiAt(steady) }), { cooldowns: new Cooldowns({ threshold: 2, ms: 60_000 }) });
    for (const expected of ["one", "two"]) expect((await service.complete(hello)).text).toBe(expected);
    expect(flaky.requests).toHaveLength(2);
    expect(service.list().find((p) => p.name === "flaky")?.coolingDownUntil).toBeGreaterThan(Date.now());
    expect(service.list().find((p) => p.name === "steady")?.coolingDownUntil).toBeUndefined();

    // The third call goes to steady first: flaky, still first in providers.toml, gets no request.
    expect((await service.complete(hello)).text).toBe("three");
    expect(flaky.requests).toHaveLength(2);
    expect(steady.requests).toHaveLength(3);
  });

  it("still tries a cooling-down provider when every other one fails, but last and without retries", async () => {
    const cooling = await fakeModel([...errorTurns(503, 5), { text: "a retry it must not get" }]);
    const other = await fakeModel(errorTurns(401, 1));
    const { service } = serviceFor(providersConfig({ cooling: openaiAt(cooling, { max_retries: 1 }), other: openaiAt(other) }), { cooldowns: new Cooldowns({ threshold: 2, ms: 60_000 }) });
    // Two failed calls to it alone (a try and a retry each) start its cooldown.
    for (let i = 0; i < 2; i++) expect(errorOf(await collect(service.stream(hello, { provider: "cooling" })))).toMatchObject({ status: 503 });
    expect(cooling.requests).toHaveLength(4);
    expect(service.list().find((p) => p.name === "cooling")?.coolingDownUntil).toBeDefined();

    const events = await collect(service.stream(hello));
    expect(other.requests).toHaveLength(1);
    expect(failovers(events)).toEqual([expect.objectContaining({ from: "other", to: "cooling" })]);
    expect(errorOf(events)).toMatchObject({ provider: "cooling", status: 503 });
    expect(cooling.requests).toHaveLength(5);
  });
});

describe("cancellation", () => {
  /** An OpenAI-compatible server that streams two text chunks and then holds the stream open, noting when the client hangs up. */
  async function holdingServer(): Promise<{ baseUrls: { openai: string }; closed: Promise<number>; close(): Promise<void> }> {
    let onClosed!: (at: number) => void;
    const closed = new Promise<number>((resolve) => (onClosed = resolve));
    const chunk = (delta: Record<string, unknown>) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "fake-model", choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const server: Server = createServer((req, res) => {
      req.resume();
      res.on("close", () => onClosed(performance.now()));
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk({ role: "assistant", content: "" }));
      res.write(chunk({ content: "Once upon " }));
      res.write(chunk({ content: "a time" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const handle = {
      baseUrls: { openai: `${url}/v1` },
      closed,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
    servers.push(handle);
    return handle;
  }

  it("an abort mid-stream ends the call with kind cancelled at once, and the server sees the connection closed", async () => {
    const server = await holdingServer();
    const spare = await fakeModel([{ text: "must not be asked" }]);
    const { service, cooldowns } = serviceFor(providersConfig({ story: openaiAt(server), spare: openaiAt(spare) }), { cooldowns: new Cooldowns({ threshold: 1, ms: 60_000 }) });
    const controller = new AbortController();
    const events: ModelStreamEvent[] = [];
    let abortedAt = 0;
    for await (const event of service.stream(hello, { signal: controller.signal })) {
      events.push(event);
      if (event.type === "text" && abortedAt === 0) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const endedAt = performance.now();
    expect(errorOf(events)).toMatchObject({ kind: "cancelled", code: "ALEPH_E_CANCELLED", provider: "story" });
    expect(failovers(events)).toEqual([]);
    expect(spare.requests).toHaveLength(0);
    // Nothing else was going to end this stream: the server holds it open until the client leaves.
    expect(endedAt - abortedAt).toBeLessThan(2000);
    const closedAt = await Promise.race([server.closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error("the server never saw the connection close")), 5000))]);
    expect(closedAt).toBeGreaterThanOrEqual(abortedAt);
    // The user stopping a call says nothing about the provider: it does not count towards a cooldown.
    expect(cooldowns.coolingUntil("story/fake-model")).toBeUndefined();
  });

  it("an abort during a Retry-After wait ends the call without waiting it out or asking again", async () => {
    const model = await fakeModel([{ type: "error", status: 429, headers: { "retry-after": "2" } }, { text: "not reached" }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model) }));
    const signal = AbortSignal.timeout(200);
    const started = performance.now();
    const error = await service.complete(hello, { signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAlephError(error) && error.code).toBe("ALEPH_E_CANCELLED");
    expect(performance.now() - started).toBeLessThan(1500);
    expect(model.requests).toHaveLength(1);
  });

  it("an already aborted signal sends nothing", async () => {
    const model = await fakeModel([{ text: "not reached" }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model) }));
    const error = errorOf(await collect(service.stream(hello, { signal: AbortSignal.abort() })));
    expect(error.kind).toBe("cancelled");
    expect(model.requests).toHaveLength(0);
  });
});

describe("configuration errors", () => {
  async function configErrorOf(tables: Record<string, Record<string, unknown>>, provider?: string): Promise<ModelErrorInfo> {
    const { service } = serviceFor(providersConfig(tables));
    return errorOf(await collect(service.stream(hello, provider === undefined ? {} : { provider })));
  }

  it("a disabled provider, asked for by name, names providers.toml and how to enable it", async () => {
    const error = await configErrorOf({ off: { protocol: "openai", model: "m", base_url: "http://127.0.0.1:9/v1", enabled: false } }, "off");
    expect(error).toMatchObject({ kind: "config", code: "ALEPH_E_PROVIDER_CONFIG", provider: "off" });
    expect(error.message).toMatch(/provider "off" is disabled \(enabled = false in providers\.toml\)/);
    expect(error.fix).toBe("set enabled = true in [providers.off]");
  });

  it("an unknown provider lists the known ones and says to add it to providers.toml", async () => {
    const error = await configErrorOf({ real: { protocol: "openai", model: "m", base_url: "http://127.0.0.1:9/v1" } }, "typo");
    expect(error.message).toBe('no provider "typo" in providers.toml (known: real)');
    expect(error.fix).toMatch(/add \[providers\.typo\] to providers\.toml/);
  });

  it("a provider without a model names its table and the key to add", async () => {
    const error = await configErrorOf({ nomodel: { protocol: "openai", base_url: "http://127.0.0.1:9/v1" } });
    expect(error).toMatchObject({ kind: "config", code: "ALEPH_E_PROVIDER_CONFIG" });
    expect(error.message).toBe("providers.toml [providers.nomodel] has no model");
    expect(error.fix).toMatch(/add model = "…" to providers\.toml \[providers\.nomodel\]/);
  });

  it("an anthropic provider without a key is refused before any request, saying where to put one", async () => {
    const error = await configErrorOf({ claude: { protocol: "anthropic", model: "claude-x" } });
    expect(error).toMatchObject({ kind: "config", code: "ALEPH_E_PROVIDER_AUTH", provider: "claude" });
    expect(error.message).toMatch(/providers\.toml \[providers\.claude\] has no api_key, and https:\/\/api\.anthropic\.com requires one/);
    expect(error.fix).toMatch(/keys:<name>.*aleph keys set/);
  });

  it("an unknown protocol lists the known ones", async () => {
    const error = await configErrorOf({ odd: { protocol: "grpc", model: "m" } });
    expect(error.message).toMatch(/names protocol "grpc", which is not known \(known: anthropic, openai, ollama\)/);
  });

  it("no provider at all is ALEPH_E_PROVIDER_NONE with the fix", async () => {
    const error = await configErrorOf({});
    expect(error).toMatchObject({ code: "ALEPH_E_PROVIDER_NONE" });
    expect(error.fix).toMatch(/providers\.toml/);
  });

  it("by default a broken or disabled provider is skipped with a warning, and the next one answers", async () => {
    const model = await fakeModel([{ text: "the good one" }]);
    const { service, log } = serviceFor(
      providersConfig({
        claude: { protocol: "anthropic", model: "claude-x" },
        off: openaiAt(model, { enabled: false }),
        good: openaiAt(model),
      }),
    );
    const events = await collect(service.stream(hello));
    expect(doneOf(events).provider).toBe("good");
    expect(model.requests).toHaveLength(1);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: "provider skipped", fields: expect.objectContaining({ provider: "claude", reason: expect.stringMatching(/has no api_key/) }) }));
  });
});

describe("complete()", () => {
  it("rejects with an AlephError carrying the code, kind, status and fix of the failure", async () => {
    const model = await fakeModel([{ type: "error", status: 401, body: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } } }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model, { api_key: "sk-test-wrong-key-0123" }) }));
    const error = await service.complete(hello).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isAlephError(error)) throw new Error(`expected an AlephError, got ${String(error)}`);
    expect(error.code).toBe("ALEPH_E_PROVIDER_AUTH");
    expect(error).toMatchObject({ kind: "auth", status: 401 });
    expect(error.message).toMatch(/only answered HTTP 401: Incorrect API key provided/);
    expect(error.fix).toMatch(/check the api_key of \[providers\.only\] in providers\.toml/);
    expect(`${error.message} ${error.fix}`).not.toContain("sk-test-wrong-key-0123");
  });

  it("rejects a config problem with its code too", async () => {
    const { service } = serviceFor(providersConfig({}));
    await expect(service.complete(hello, { provider: "ghost" })).rejects.toMatchObject({ code: "ALEPH_E_PROVIDER_CONFIG", kind: "config", message: expect.stringMatching(/no provider "ghost" in providers\.toml/) });
  });

  it("resolves to the response with the provider and model that answered", async () => {
    const model = await fakeModel([{ text: "fine", usage: { inputTokens: 3, outputTokens: 1 } }]);
    const { service } = serviceFor(providersConfig({ only: openaiAt(model) }));
    expect(await service.complete(hello)).toMatchObject({ provider: "only", model: "fake-model", text: "fine", usage: { inputTokens: 3, outputTokens: 1 }, stopReason: "end" });
  });
});

describe("list()", () => {
  it("says where each key comes from and never holds a key", () => {
    const keys = { literal: "sk-literal-secret-111111", env: "sk-env-secret-222222", vault: "sk-vault-secret-333333" };
    const origins: Record<string, string> = { literal: "file", env: "env:OPENAI_API_KEY", vault: "keys:openai" };
    const { service } = serviceFor(
      providersConfig({
        literal: { protocol: "openai", model: "m", api_key: keys.literal },
        env: { protocol: "openai", model: "m", api_key: keys.env, base_url: "http://127.0.0.1:9/v1" },
        vault: { protocol: "anthropic", model: "claude-x", api_key: keys.vault, reasoning: true },
        keyless: { protocol: "ollama", model: "llama", enabled: false },
      }),
      { keyOrigin: (name) => origins[name] },
    );
    const list = service.list();
    expect(list).toEqual([
      { name: "literal", protocol: "openai", model: "m", baseUrl: "(protocol default)", enabled: true, keySource: "literal", reasoning: false },
      { name: "env", protocol: "openai", model: "m", baseUrl: "http://127.0.0.1:9/v1", enabled: true, keySource: "env:OPENAI_API_KEY", reasoning: false },
      { name: "vault", protocol: "anthropic", model: "claude-x", baseUrl: "(protocol default)", enabled: true, keySource: "keys:openai", reasoning: true },
      { name: "keyless", protocol: "ollama", model: "llama", baseUrl: "(protocol default)", enabled: false, keySource: "none", reasoning: false },
    ]);
    const text = JSON.stringify(list);
    for (const key of Object.values(keys)) expect(text).not.toContain(key);
  });
});
