import { describe, expect, it } from "vitest";
import { answerFrame, MAX_BATCH, type FrameHandlers } from "./frames.js";
import { peekId, readRequest } from "./protocol.js";

const echo: FrameHandlers = {
  run: async (request) => (request.id === undefined ? undefined : { jsonrpc: "2.0", id: request.id, result: request.method }),
  admitBatch: () => ({ ok: true }),
};

describe("JSON-RPC frames", () => {
  it("answers a request, a batch (without its notifications), and nothing for notifications", async () => {
    expect(await answerFrame('{"jsonrpc":"2.0","id":1,"method":"a"}', echo)).toEqual({ jsonrpc: "2.0", id: 1, result: "a" });
    expect(await answerFrame('{"jsonrpc":"2.0","method":"a"}', echo)).toBeUndefined();
    expect(await answerFrame('[{"jsonrpc":"2.0","id":"x","method":"a"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":2,"method":"b"}]', echo)).toEqual([
      { jsonrpc: "2.0", id: "x", result: "a" },
      { jsonrpc: "2.0", id: 2, result: "b" },
    ]);
    expect(await answerFrame('[{"jsonrpc":"2.0","method":"n"}]', echo)).toBeUndefined();
  });

  it("answers what is not a request with the right error", async () => {
    expect(await answerFrame("{", echo)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await answerFrame("[]", echo)).toMatchObject({ id: null, error: { code: -32600, message: "an empty batch" } });
    expect(await answerFrame("42", echo)).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await answerFrame("[1,2]", echo)).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: -32600 }) }), expect.objectContaining({ error: expect.objectContaining({ code: -32600 }) })]);
    expect(await answerFrame(JSON.stringify(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "a" }))), echo)).toMatchObject({ error: { code: -32600 } });
    expect(await answerFrame('[{"jsonrpc":"2.0","id":1,"method":"a"}, {"jsonrpc":"2.0","id":2,"method":"a"}]', { ...echo, admitBatch: () => ({ ok: false, retryAfterMs: 40 }) })).toMatchObject({ error: { code: -32029, data: { retryAfterMs: 40 } } });
  });

  it("checks each member of a request", () => {
    expect(readRequest({ jsonrpc: "2.0", id: 1, method: "a", params: {} })).toEqual({ request: { id: 1, method: "a", params: {} } });
    expect(readRequest({ jsonrpc: "1.0", id: 7, method: "a" })).toMatchObject({ id: 7, error: { code: -32600, message: '"jsonrpc" must be "2.0"' } });
    expect(readRequest({ jsonrpc: "2.0", id: 7, method: 5 })).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(readRequest({ jsonrpc: "2.0", id: { a: 1 }, method: "a" })).toMatchObject({ id: null, error: { code: -32600 } });
    expect(readRequest({ jsonrpc: "2.0", id: "x".repeat(300), method: "a" })).toMatchObject({ id: null, error: { code: -32600 } });
    expect(readRequest({ jsonrpc: "2.0", id: 1, method: "a", params: "x" })).toMatchObject({ id: 1, error: { code: -32600 } });
    expect(readRequest({ jsonrpc: "2.0", id: null, method: "a" })).toEqual({ request: { id: null, method: "a", params: undefined } });
  });

  it("finds the id of a small frame without running it", () => {
    expect(peekId('{"jsonrpc":"2.0","id":"k","method":"a"}')).toBe("k");
    expect(peekId("{bad")).toBeNull();
    expect(peekId(`{"id":1,"pad":"${"x".repeat(5000)}"}`)).toBeNull();
  });
});
