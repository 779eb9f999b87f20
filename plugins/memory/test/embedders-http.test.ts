/*
 * Memory's provider embedder end to end: a real kernel (the test kit) with the real providers and
 * memory plugins, `[memory] embedder = "provider:emb"` in config.toml and `[providers.emb]` in
 * providers.toml, against the fake model server on 127.0.0.1 speaking OpenAI (`/v1/embeddings`)
 * or Ollama (`/api/embed`). Nothing of ours is stood in for: only the remote model is fake.
 *
 * Retries live in one place, the providers plugin (max_retries, backoff, Retry-After, timeout_ms
 * of providers.toml); the embedder itself never retries, so one failing batch costs at most
 * 1 + max_retries requests.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { embeddingsRef, memoryRef, type EmbeddingsService, type MemoryService } from "@aleph/plugin-sdk";
import { createTestKernel, startFakeModelServer, type FakeModelRequest, type FakeModelServer, type TestKernel } from "@aleph/testing";

const memoryDir = fileURLToPath(new URL("..", import.meta.url));
const providersDir = fileURLToPath(new URL("../../providers", import.meta.url));

type Protocol = "openai" | "ollama";
const ROUTE = { openai: "/v1/embeddings", ollama: "/api/embed" } as const;

/*
 * A tiny semantic space for the fake model: each topic is one axis, so texts on one topic are close
 * however they are worded (which the full-text search cannot see), and a little of each text's own
 * hash on the other axes keeps two texts apart (cosine 0.8: below the near-duplicate threshold).
 */
const TOPICS = [
  ["berlin", "live", "lives", "home", "city", "address"],
  ["coffee", "espresso", "tea", "drink"],
  ["dog", "puppy", "pet", "cat"],
  ["deploy", "release", "ship", "production"],
];

function topicVector(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  TOPICS.forEach((topic, axis) => {
    if (words.some((w) => topic.includes(w))) v[axis] = 1;
  });
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  v[TOPICS.length + (hash % (dimension - TOPICS.length))]! += 0.5;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

interface Setup {
  kernel: TestKernel;
  server: FakeModelServer;
  memory: MemoryService;
  embeddings: EmbeddingsService;
  /** The dimension the fake model answers in (change it to change the model's answers). */
  space: { dimension: number };
  /** The embeddings requests the server received since the last call. */
  newRequests(): FakeModelRequest[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface StartOptions {
  /** Keys of [providers.emb] besides protocol, base_url and embedding_model. */
  provider?: Record<string, unknown>;
  /** Keys of [memory] besides embedder. */
  memory?: Record<string, unknown>;
  /** Start on this state root and server again (a restart). */
  again?: Setup;
}

function toml(table: Record<string, unknown>): string {
  return Object.entries(table)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
    .join("\n");
}

async function start(protocol: Protocol, options: StartOptions = {}): Promise<Setup> {
  const space = options.again?.space ?? { dimension: 8 };
  let server = options.again?.server;
  if (!server) {
    const started = await startFakeModelServer({ embed: (text) => topicVector(text, space.dimension) });
    cleanups.push(() => started.close());
    server = started;
  }
  let root = options.again?.kernel.root;
  if (!root) {
    const made = mkdtempSync(join(tmpdir(), "aleph-memory-http-"));
    cleanups.push(() => rmSync(made, { recursive: true, force: true }));
    root = made;
  }
  const provider = { protocol, base_url: server.baseUrls[protocol], embedding_model: "embed-a", ...options.provider };
  writeFileSync(join(root, "providers.toml"), `[providers.emb]\n${toml(provider)}\n`, { mode: 0o600 });
  const kernel = await createTestKernel({ root, plugins: [providersDir, memoryDir], config: { memory: { embedder: "provider:emb", ...options.memory } } });
  cleanups.push(() => kernel.stop());
  expect(kernel.plugin("providers")?.status).toBe("active");
  expect(kernel.plugin("memory")?.status).toBe("active");
  let seen = server.requests.length;
  const fake = server;
  return {
    kernel,
    server,
    memory: kernel.service(memoryRef)!,
    embeddings: kernel.service(embeddingsRef)!,
    space,
    newRequests() {
      const fresh = fake.requests.slice(seen);
      seen = fake.requests.length;
      return fresh;
    },
  };
}

const FACTS = {
  drink: "The user drinks espresso every morning",
  home: "The user lives in Berlin",
  pet: "Their dog is called Bruno",
  work: "Never deploy to production on Fridays",
};

/** The four facts, added in this order (the one about home is not the first: a listing would not find it by chance). */
async function addFacts(memory: MemoryService): Promise<Record<keyof typeof FACTS, string>> {
  const ids: Record<string, string> = {};
  for (const [key, text] of Object.entries(FACTS)) {
    const added = await memory.add({ agentId: "main", text, source: "test" });
    expect(added.outcome).toBe("added");
    ids[key] = added.id;
  }
  return ids as Record<keyof typeof FACTS, string>;
}

describe.each(["openai", "ollama"] as const)("memory's embeddings through the providers plugin, %s protocol", (protocol) => {
  it(`adds facts and finds them by meaning, with one ${ROUTE[protocol]} request per fact and per query`, async () => {
    const { memory, newRequests } = await start(protocol);
    const ids = await addFacts(memory);
    const adding = newRequests();
    // One request per fact (and at most one to learn the model's dimension), all to the protocol's route and model.
    const probes = adding.filter((r) => JSON.stringify(r.body.input) === '["dimension probe"]');
    expect(probes.length).toBeLessThanOrEqual(1);
    expect(adding.filter((r) => !probes.includes(r)).map((r) => r.body.input)).toEqual(Object.values(FACTS).map((text) => [text]));
    expect(new Set(adding.map((r) => `${r.route} ${String(r.body.model)}`))).toEqual(new Set([`${ROUTE[protocol]} embed-a`]));

    // No word of the query is in the fact: only the vectors can find it.
    const [hit] = await memory.search("which city is home", { agentId: "main", k: 1 });
    expect(hit?.fact.id).toBe(ids.home);
    expect(hit?.fact.embeddingModel).toBe("provider:emb/embed-a");
    expect(hit!.parts.fused).toBeGreaterThan(0);
    const [pet] = await memory.search("a puppy", { agentId: "main", k: 1 });
    expect(pet?.fact.id).toBe(ids.pet);
    expect(newRequests().map((r) => r.body.input)).toEqual([["which city is home"], ["a puppy"]]);
    // A query asked again comes from the cache.
    await memory.search("a puppy", { agentId: "main", k: 1 });
    expect(newRequests()).toEqual([]);

    expect(await memory.stats("main")).toMatchObject({ live: 4, space: { model: "provider:emb/embed-a", dimension: 8 }, vectorsUsable: true });
  }, 30_000);

  it("embeds many texts in batches of at most 64 per request, the vectors in the order of the texts", async () => {
    const { embeddings, newRequests } = await start(protocol);
    const texts = Array.from({ length: 150 }, (_, i) => `note ${i} about ${TOPICS[i % 4]![0]}`);
    const vectors = await embeddings.embed(texts);
    expect(vectors.map((v) => Array.from(v))).toEqual(texts.map((t) => topicVector(t, 8)));
    expect(newRequests().map((r) => (r.body.input as string[]).length)).toEqual([64, 64, 22]);
    expect(await embeddings.dimension()).toBe(8);
    expect(newRequests()).toEqual([]); // the dimension is known from the answers: no probe
  }, 30_000);

  it("adds many facts at once (an import) in requests of at most 64 texts", async () => {
    const { memory, newRequests } = await start(protocol);
    await memory.stats("main");
    newRequests();
    const results = await memory.addMany(Array.from({ length: 100 }, (_, i) => ({ agentId: "main", text: `imported fact number ${i}` })));
    expect(results).toHaveLength(100);
    expect(newRequests().map((r) => (r.body.input as string[]).length)).toEqual([64, 36]);
  }, 30_000);

  it("retries a 429 and a 503, and the facts are added", async () => {
    const { memory, server, newRequests } = await start(protocol);
    await memory.stats("main"); // opens the table (the dimension probe)
    newRequests();
    server.push({ type: "error", status: 429 });
    expect((await memory.add({ agentId: "main", text: FACTS.home })).outcome).toBe("added");
    server.push({ type: "error", status: 503, body: "<html>Service Unavailable</html>" });
    expect((await memory.add({ agentId: "main", text: FACTS.drink })).outcome).toBe("added");
    expect(newRequests().map((r) => r.body.input)).toEqual([[FACTS.home], [FACTS.home], [FACTS.drink], [FACTS.drink]]);
    expect(server.pending()).toBe(0);
    expect((await memory.stats("main")).live).toBe(2);
  }, 30_000);
});

describe("memory's embeddings: retries, timeouts and refusals", () => {
  it("tries a failing batch 1 + max_retries times, no more, waiting what Retry-After says, then fails naming the status", async () => {
    const { memory, server, newRequests } = await start("openai", { provider: { max_retries: 2 } });
    await memory.stats("main");
    newRequests();
    const busy = { type: "error" as const, status: 503, headers: { "retry-after": "0" } };
    server.push(busy, busy, busy, busy, busy);
    const started = performance.now();
    await expect(memory.add({ agentId: "main", text: FACTS.home })).rejects.toThrow(/503/);
    expect(performance.now() - started).toBeLessThan(2000); // Retry-After: 0, not the backoff
    expect(newRequests()).toHaveLength(3);
    expect(server.pending()).toBe(2);
    expect((await memory.stats("main")).live).toBe(0);
  }, 30_000);

  it("does not retry what waiting will not fix: a refused request, an empty account", async () => {
    const { memory, server, newRequests } = await start("openai");
    await memory.stats("main");
    newRequests();
    server.push({ type: "error", status: 400, body: { error: { message: "input too long", type: "invalid_request_error" } } });
    await expect(memory.add({ agentId: "main", text: FACTS.home })).rejects.toThrow(/input too long/);
    server.push({ type: "error", status: 429, body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } } });
    await expect(memory.add({ agentId: "main", text: FACTS.home })).rejects.toMatchObject({ code: "ALEPH_E_PROVIDER_BILLING" });
    expect(newRequests()).toHaveLength(2);
  }, 30_000);

  it("cuts a request that hangs at timeout_ms and tries again", async () => {
    const { memory, server, newRequests } = await start("ollama", { provider: { timeout_ms: 1000 } });
    await memory.stats("main");
    newRequests();
    server.push({ type: "error", status: 500, delayMs: 60_000 });
    const started = performance.now();
    expect((await memory.add({ agentId: "main", text: FACTS.pet })).outcome).toBe("added");
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(newRequests()).toHaveLength(2);
  }, 30_000);

  it("says which server cannot be reached, after trying again", async () => {
    const { memory, server } = await start("ollama", { provider: { max_retries: 1 } });
    await memory.stats("main");
    await server.close();
    await expect(memory.add({ agentId: "main", text: FACTS.pet })).rejects.toMatchObject({ code: "ALEPH_E_PROVIDER_NETWORK", message: expect.stringMatching(/cannot reach emb at http:\/\/127\.0\.0\.1:\d+/) });
  }, 30_000);
});

describe("memory's embeddings when the model changes", () => {
  it("refuses an answer in another dimension than the model gave before, naming both, and stores nothing", async () => {
    const setup = await start("openai");
    await addFacts(setup.memory);
    setup.space.dimension = 12;
    const failure = setup.memory.add({ agentId: "main", text: "The user plays chess" });
    await expect(failure).rejects.toMatchObject({ code: "ALEPH_E_PROVIDER_RESPONSE", message: expect.stringMatching(/12 dimensions; this model gave 8 before/) });
    await expect(failure).rejects.toMatchObject({ fix: expect.stringMatching(/reindex/) });
    expect((await setup.memory.stats("main")).live).toBe(4);
  }, 30_000);

  it("after a restart with a model of another dimension, pauses vector search, keeps keyword search, and refuses new facts until a reindex, which brings both back", async () => {
    const first = await start("openai");
    const ids = await addFacts(first.memory);
    await first.kernel.stop();
    first.space.dimension = 12;
    const again = await start("openai", { again: first });
    const stats = await again.memory.stats("main");
    expect(stats).toMatchObject({ live: 4, space: { model: "provider:emb/embed-a", dimension: 8 }, vectorsUsable: false });
    const hits = await again.memory.search("espresso", { agentId: "main", k: 1 });
    expect(hits.map((h) => h.fact.id)).toEqual([ids.drink]);
    // A new fact's vector would not fit the table (LanceDB would silently cut it to 8 numbers): refused until a reindex.
    await expect(again.memory.add({ agentId: "main", text: "The user plays chess" })).rejects.toMatchObject({
      code: "ALEPH_E_EMBEDDINGS",
      message: expect.stringMatching(/holds 8-dimension vectors .* gives 12/),
      fix: expect.stringMatching(/aleph memory reindex/),
    });
    expect((await again.memory.stats("main")).live).toBe(4);

    // A reindex embeds the facts again with the new model: vector search is back, and so are adds.
    for await (const progress of again.memory.reindex()) expect(progress.total).toBe(4);
    expect(await again.memory.stats("main")).toMatchObject({ live: 4, space: { model: "provider:emb/embed-a", dimension: 12 }, vectorsUsable: true });
    expect((await again.memory.search("which city is home", { agentId: "main", k: 1 }))[0]?.fact.id).toBe(ids.home);
    expect((await again.memory.add({ agentId: "main", text: "The user plays chess" })).outcome).toBe("added");
  }, 30_000);

  it("after [memory] embedding_model changes, pauses vector search and keeps keyword search; new facts are still added", async () => {
    const setup = await start("ollama");
    const ids = await addFacts(setup.memory);
    const applied = await setup.kernel.writeConfig({ memory: { embedder: "provider:emb", embedding_model: "embed-b" } });
    expect(applied.applied).toBe(true);
    const stats = await setup.memory.stats("main");
    expect(stats).toMatchObject({ live: 4, space: { model: "provider:emb/embed-a", dimension: 8 }, vectorsUsable: false });
    expect((await setup.memory.search("Bruno", { agentId: "main", k: 1 })).map((h) => h.fact.id)).toEqual([ids.pet]);
    expect(setup.newRequests().at(-1)?.body.model).toBe("embed-b");
    const added = await setup.memory.add({ agentId: "main", text: "The user plays chess" });
    expect(added.outcome).toBe("added");
    expect((await setup.memory.get(added.id))?.embeddingModel).toBe("provider:emb/embed-b");
  }, 30_000);
});
