import type { ModelErrorInfo, ModelRequest, ModelResponse, ModelStreamEvent } from "@aleph/plugin-sdk";
import type { Endpoint, ProtocolAdapter } from "../src/protocols/protocol.js";

/*
 * Drives an adapter the way call.ts does — its request through real `fetch` to a real local server,
 * the answer through the adapter — without call.ts's retries and clocks, so a test sees exactly
 * what the adapter made of the server's bytes.
 */

export const TEST_KEY = "sk-test-0123456789abcdef";

export function endpointAt(baseUrl: string, overrides: Partial<Endpoint> = {}): Endpoint {
  return { provider: "test", baseUrl, model: "test-model", apiKey: TEST_KEY, headers: {}, extraBody: {}, reasoning: false, ...overrides };
}

/** What one streamed call came to: the HTTP error, or the adapter's events. */
export type StreamOutcome = { status: number; error: ModelErrorInfo } | { status: number; events: ModelStreamEvent[] };

export async function streamCall(adapter: ProtocolAdapter, request: ModelRequest, endpoint: Endpoint): Promise<StreamOutcome> {
  const wire = adapter.buildRequest(request, endpoint, true);
  const response = await fetch(wire.url, { method: "POST", headers: wire.headers, body: wire.body });
  if (!response.ok) return { status: response.status, error: adapter.parseError(response.status, await response.text(), response.headers, endpoint) };
  return { status: response.status, events: await collect(adapter.parseStream(response.body as unknown as AsyncIterable<Uint8Array>, endpoint)) };
}

/** The events of a streamed call that must have got a 2xx answer. */
export async function streamEvents(adapter: ProtocolAdapter, request: ModelRequest, endpoint: Endpoint): Promise<ModelStreamEvent[]> {
  const outcome = await streamCall(adapter, request, endpoint);
  if ("error" in outcome) throw new Error(`expected a stream, got HTTP ${outcome.status}: ${outcome.error.message}`);
  return outcome.events;
}

/** A non-streamed call: the response, or the HTTP error as the adapter reads it. */
export async function completeCall(adapter: ProtocolAdapter, request: ModelRequest, endpoint: Endpoint): Promise<ModelResponse | ModelErrorInfo> {
  const wire = adapter.buildRequest(request, endpoint, false);
  const response = await fetch(wire.url, { method: "POST", headers: wire.headers, body: wire.body });
  if (!response.ok) return adapter.parseError(response.status, await response.text(), response.headers, endpoint);
  return adapter.parseResponse(await response.json(), endpoint);
}

/** An HTTP error answer to a streamed request, as the adapter reads it. */
export async function streamError(adapter: ProtocolAdapter, request: ModelRequest, endpoint: Endpoint): Promise<ModelErrorInfo> {
  const outcome = await streamCall(adapter, request, endpoint);
  if (!("error" in outcome)) throw new Error(`expected an HTTP error, got a stream: ${JSON.stringify(outcome.events)}`);
  return outcome.error;
}

export async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const out: ModelStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** A body that delivers `chunks` as they are split: to feed an adapter bytes a server would never split so. */
export async function* bytes(...chunks: string[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const chunk of chunks) yield encoder.encode(chunk);
}

/** A body that delivers `text` one byte at a time: every event and every multi-byte character split. */
export async function* byteByByte(text: string): AsyncGenerator<Uint8Array> {
  for (const byte of new TextEncoder().encode(text)) yield Uint8Array.of(byte);
}

/** A body that delivers `text`, then fails as a dropped connection does. */
export async function* droppedAfter(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
  throw new TypeError("terminated", { cause: { code: "UND_ERR_SOCKET" } });
}

export function doneOf(events: ModelStreamEvent[]): ModelResponse {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`the stream did not end with done: ${JSON.stringify(last)}`);
  return last.response;
}

export function errorOf(events: ModelStreamEvent[]): ModelErrorInfo {
  const last = events.at(-1);
  if (last?.type !== "error") throw new Error(`the stream did not end with an error: ${JSON.stringify(last)}`);
  return last.error;
}

export function textOf(events: ModelStreamEvent[]): string {
  return events.map((event) => (event.type === "text" ? event.text : "")).join("");
}

/** Every event has exactly one terminal event, and it is the last. */
export function terminalCount(events: ModelStreamEvent[]): number {
  return events.filter((event) => event.type === "done" || event.type === "error").length;
}

export function isErrorInfo(value: ModelResponse | ModelErrorInfo): value is ModelErrorInfo {
  return "kind" in value;
}

export function bodyOf(wire: { body: string }): Record<string, unknown> {
  return JSON.parse(wire.body) as Record<string, unknown>;
}
