import { describe, expect, it } from "vitest";
import { startFakeModelServer } from "./fake-model-server.js";

/*
 * The server's own rules. What it sends in each wire format is checked where it matters, by the
 * providers plugin's adapter tests, which read it with real clients of those formats.
 */

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("startFakeModelServer", () => {
  it("answers turns in order and records each request's route, headers and body", async () => {
    const server = await startFakeModelServer([{ text: "one" }, { text: "two" }]);
    try {
      const first = (await (await post(`${server.baseUrls.openai}/chat/completions`, { model: "m", messages: [] }, { authorization: "Bearer k" })).json()) as { choices: { message: { content: string } }[] };
      const second = (await (await post(`${server.url}/api/chat`, { model: "m", messages: [], stream: false })).json()) as { message: { content: string } };
      expect([first.choices[0]?.message.content, second.message.content]).toEqual(["one", "two"]);
      expect(server.requests.map((r) => [r.route, r.protocol, r.stream])).toEqual([
        ["/v1/chat/completions", "openai", false],
        ["/api/chat", "ollama", false],
      ]);
      expect(server.requests[0]?.headers.authorization).toBe("Bearer k");
      expect(server.requests[0]?.body).toEqual({ model: "m", messages: [] });
      expect(server.pending()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("answers a chat request with no turn left with a 500 in the protocol's error shape that says so", async () => {
    const server = await startFakeModelServer();
    try {
      const response = await post(`${server.url}/v1/messages`, { model: "m", messages: [] });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ type: "error", error: { message: expect.stringContaining("no scripted turn left") } });
    } finally {
      await server.close();
    }
  });

  it("refuses unknown routes, listing the ones it has, and request bodies that are not JSON objects", async () => {
    const server = await startFakeModelServer([{ text: "unused" }]);
    try {
      const unknown = await post(`${server.url}/v1/completions`, {});
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toContain("/v1/chat/completions");
      expect((await post(`${server.url}/api/chat`, "{not json")).status).toBe(400);
      expect((await post(`${server.url}/api/chat`, [1, 2])).status).toBe(400);
      expect(server.requests).toEqual([]);
      expect(server.pending()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("answers embeddings from its embed function without taking the next chat turn, and the same text gets the same vector", async () => {
    const server = await startFakeModelServer({ turns: [{ text: "chat" }], embed: (text) => [text.length] });
    try {
      const body = (await (await post(`${server.baseUrls.openai}/embeddings`, { model: "e", input: ["ab", "abc"] })).json()) as { data: { embedding: number[] }[] };
      expect(body.data.map((row) => row.embedding)).toEqual([[2], [3]]);
      expect(server.pending()).toBe(1);
    } finally {
      await server.close();
    }
    const defaults = await startFakeModelServer();
    try {
      const read = async () => ((await (await post(`${defaults.url}/api/embed`, { model: "e", input: "same" })).json()) as { embeddings: number[][] }).embeddings;
      const [a, b] = [await read(), await read()];
      expect(a).toEqual(b);
      expect(a[0]).toHaveLength(8);
    } finally {
      await defaults.close();
    }
  });

  it("sends a streamed reply's headers before its first-token delay, and close() ends the wait", async () => {
    const server = await startFakeModelServer([{ text: "late", firstTokenDelayMs: 600_000 }]);
    const response = await post(`${server.url}/v1/messages`, { model: "m", messages: [], stream: true });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reading = response.text();
    await server.close();
    await expect(reading).rejects.toThrow();
  });
});
