import { isAlephError } from "@aleph/plugin-sdk";
import { startFakeModelServer, type FakeModelServer, type FakeTurn } from "@aleph/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openaiAt, providersConfig, serviceFor, timedFetch } from "./service-harness.js";

/*
 * providers.embed end to end, short of the kernel: retried as a model call is (max_retries,
 * Retry-After, timeout_ms), refused at once when waiting will not help, cancellable, and clear
 * about a provider that cannot embed — against the fake model server, through the real adapters.
 */

const servers: FakeModelServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fakeModel(turns: FakeTurn[] = []): Promise<FakeModelServer> {
  const server = await startFakeModelServer({ turns, embed: (text) => [text.length, 1] });
  servers.push(server);
  return server;
}

const embedderAt = (server: FakeModelServer, extra: Record<string, unknown> = {}) => openaiAt(server, { embedding_model: "embed-m", ...extra });
const ollamaEmbedderAt = (server: FakeModelServer, extra: Record<string, unknown> = {}) => ({ protocol: "ollama", base_url: server.baseUrls.ollama, embedding_model: "embed-m", ...extra });

/** What a call rejected with (or undefined when it resolved). */
const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string; kind?: string; status?: number; fix?: string },
  );

describe("embed(): retries", () => {
  it("retries a 429 after what Retry-After asks, and a 503, then answers from the same provider", async () => {
    const model = await fakeModel([
      { type: "error", status: 429, headers: { "retry-after-ms": "300" } },
      { type: "error", status: 503, body: "<html>Service Unavailable</html>" },
    ]);
    const fetch = timedFetch();
    const { service, log } = serviceFor(providersConfig({ emb: embedderAt(model) }), { fetch });
    expect(await service.embed(["ab", "abc"], { provider: "emb" })).toEqual({ provider: "emb", model: "embed-m", vectors: [[2, 1], [3, 1]] });
    expect(model.requests.map((r) => r.route)).toEqual(["/v1/embeddings", "/v1/embeddings", "/v1/embeddings"]);
    expect(fetch.sentAt[1]! - fetch.sentAt[0]!).toBeGreaterThanOrEqual(280);
    expect(log.lines.filter((l) => l.msg === "retrying embeddings call").map((l) => l.fields?.status)).toEqual([429, 503]);
  });

  it("makes max_retries + 1 requests and no more, then rejects with the last failure's code, kind and status", async () => {
    const model = await fakeModel(Array.from({ length: 5 }, (): FakeTurn => ({ type: "error", status: 503 })));
    const { service } = serviceFor(providersConfig({ emb: ollamaEmbedderAt(model, { max_retries: 2 }) }));
    expect(await failureOf(service.embed(["x"], { provider: "emb" }))).toMatchObject({ code: "ALEPH_E_PROVIDER_HTTP", kind: "retryable", status: 503 });
    expect(model.requests).toHaveLength(3);
    const once = await fakeModel([{ type: "error", status: 503 }]);
    const { service: noRetries } = serviceFor(providersConfig({ emb: embedderAt(once, { max_retries: 0 }) }));
    expect(await failureOf(noRetries.embed(["x"], { provider: "emb" }))).toMatchObject({ status: 503 });
    expect(once.requests).toHaveLength(1);
  });

  it("does not retry a refused request or an empty account", async () => {
    const model = await fakeModel([
      { type: "error", status: 400, body: { error: { message: "input too long", type: "invalid_request_error" } } },
      { type: "error", status: 429, body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } } },
    ]);
    const { service } = serviceFor(providersConfig({ emb: embedderAt(model) }));
    expect(await failureOf(service.embed(["x"], { provider: "emb" }))).toMatchObject({ code: "ALEPH_E_PROVIDER_REQUEST", message: expect.stringMatching(/input too long/) });
    expect(await failureOf(service.embed(["x"], { provider: "emb" }))).toMatchObject({ code: "ALEPH_E_PROVIDER_BILLING", status: 429 });
    expect(model.requests).toHaveLength(2);
  });

  it("cuts a request at timeout_ms and tries again; with no retry left it is a timeout naming the setting", async () => {
    const hang: FakeTurn = { type: "error", status: 500, delayMs: 60_000 };
    const model = await fakeModel([hang]);
    const { service } = serviceFor(providersConfig({ emb: embedderAt(model, { timeout_ms: 1000 }) }));
    const started = performance.now();
    expect((await service.embed(["x"], { provider: "emb" })).vectors).toEqual([[1, 1]]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(model.requests).toHaveLength(2);
    model.push(hang);
    const { service: noRetries } = serviceFor(providersConfig({ emb: embedderAt(model, { timeout_ms: 1000, max_retries: 0 }) }));
    expect(await failureOf(noRetries.embed(["x"], { provider: "emb" }))).toMatchObject({ code: "ALEPH_E_TIMEOUT", kind: "timeout", fix: expect.stringMatching(/timeout_ms/) });
    expect(model.requests).toHaveLength(3);
  });

  it("says which server it cannot reach, after retrying", async () => {
    const model = await fakeModel();
    await model.close();
    const fetch = timedFetch();
    const { service } = serviceFor(providersConfig({ emb: ollamaEmbedderAt(model, { max_retries: 1 }) }), { fetch });
    const error = await failureOf(service.embed(["x"], { provider: "emb" }));
    expect(error).toMatchObject({ code: "ALEPH_E_PROVIDER_NETWORK", kind: "retryable", message: expect.stringContaining(`cannot reach emb at ${model.url}`) });
    expect(fetch.sentAt).toHaveLength(2);
  });

  it("refuses a 200 whose body is not JSON, once, without quoting it", async () => {
    const model = await fakeModel([{ type: "raw", status: 200, headers: { "content-type": "text/html" }, chunks: ["<html>proxy login sk-secret</html>"] }]);
    const { service } = serviceFor(providersConfig({ emb: embedderAt(model) }));
    const error = await failureOf(service.embed(["x"], { provider: "emb" }));
    expect(error).toMatchObject({ code: "ALEPH_E_PROVIDER_RESPONSE", fix: expect.stringMatching(/base_url/) });
    expect(error?.message).not.toContain("sk-secret");
    expect(model.requests).toHaveLength(1);
  });

  it("stops at once when cancelled during a Retry-After wait", async () => {
    const model = await fakeModel([{ type: "error", status: 429, headers: { "retry-after": "2" } }]);
    const { service } = serviceFor(providersConfig({ emb: embedderAt(model) }));
    const started = performance.now();
    const error = await failureOf(service.embed(["x"], { provider: "emb", signal: AbortSignal.timeout(200) }));
    expect(isAlephError(error) && error.code).toBe("ALEPH_E_CANCELLED");
    expect(performance.now() - started).toBeLessThan(1500);
    expect(model.requests).toHaveLength(1);
  });
});

describe("embed(): which provider", () => {
  it("says why a provider named outright cannot embed: disabled, or no embedding_model", async () => {
    const model = await fakeModel();
    const { service } = serviceFor(providersConfig({ off: embedderAt(model, { enabled: false }), chat: openaiAt(model) }));
    expect(await failureOf(service.embed(["x"], { provider: "off" }))).toMatchObject({ code: "ALEPH_E_PROVIDER_CONFIG", fix: expect.stringMatching(/enabled = true in \[providers\.off\]/) });
    expect(await failureOf(service.embed(["x"], { provider: "chat" }))).toMatchObject({ code: "ALEPH_E_PROVIDER_CONFIG", fix: expect.stringMatching(/embedding_model = .* in \[providers\.chat\]/) });
    expect(await failureOf(service.embed(["x"]))).toMatchObject({ code: "ALEPH_E_PROVIDER_CONFIG", message: expect.stringMatching(/no enabled provider offers embeddings/) });
    expect(model.requests).toEqual([]);
  });

  it("without a name, uses the first enabled provider that has an embedding model", async () => {
    const model = await fakeModel();
    const { service } = serviceFor(providersConfig({ chat: openaiAt(model), emb: ollamaEmbedderAt(model) }));
    expect(await service.embed(["abcd"])).toEqual({ provider: "emb", model: "embed-m", vectors: [[4, 1]] });
    expect(model.requests.map((r) => r.route)).toEqual(["/api/embed"]);
  });
});
