import type { ModelErrorInfo, ModelRequest, ModelResponse, ModelStreamEvent } from "@aleph/plugin-sdk";

/*
 * A wire protocol: how one normalised ModelRequest becomes an HTTP request, and how the HTTP
 * answer (a stream or one JSON body) becomes normalised events. Adapters are pure translation
 * over `fetch`: no retries, no failover, no timers (call.ts does those), so each is tested against
 * a local server speaking that API and nothing else.
 */

/** The three built-in protocols; a custom one extends one of them. */
export type BuiltinProtocolName = "anthropic" | "openai" | "ollama";

/**
 * Where to read fields of a JSON answer, overriding the built-in's: dotted paths with numeric
 * indexes ("choices.0.message.content"). Only a custom protocol sets them; only non-streamed answers
 * and error bodies are read through them (a stream keeps its protocol's event format).
 */
export interface ResponsePaths {
  content?: string;
  inputTokens?: string;
  outputTokens?: string;
  error?: string;
}

/** One configured endpoint, as an adapter needs it (resolved: the key is the real key). */
export interface Endpoint {
  /** The provider's name (`[providers.<name>]`), for messages. */
  provider: string;
  /** The API root: anthropic `https://api.anthropic.com` (requests go to `{baseUrl}/v1/messages`), openai `https://api.openai.com/v1` (`{baseUrl}/chat/completions`), ollama `http://127.0.0.1:11434` (`{baseUrl}/api/chat`). No trailing slash. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** The header that carries the key and its prefix (defaults per protocol: `x-api-key` with no prefix; `Authorization` with `Bearer `). */
  authHeader?: string;
  authPrefix?: string;
  /** Extra HTTP headers, sent on every request. */
  headers: Record<string, string>;
  /** Extra top-level fields merged into every request body (custom protocols, `[providers.x] extra`). */
  extraBody: Record<string, unknown>;
  /** Whether the provider takes thinking/reasoning settings (`reasoning = true`). */
  reasoning: boolean;
  /** Ollama's context window (`options.num_ctx`), when configured. */
  numCtx?: number;
  responsePaths?: ResponsePaths;
}

/** An HTTP request ready for fetch. */
export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ProtocolAdapter {
  readonly name: BuiltinProtocolName;
  /** The base URL when a provider names none. */
  readonly defaultBaseUrl: string;
  /** The request for `request` (streamed when `stream`). Throws AlephError ALEPH_E_PROVIDER_REQUEST for a request this protocol cannot express. */
  buildRequest(request: ModelRequest, endpoint: Endpoint, stream: boolean): WireRequest;
  /**
   * Normalised events from a streamed answer's body, ending with `done` (the assembled response,
   * provider/model from `endpoint`). A body that ends before the protocol's end marker ends with
   * an `error` of kind `stream`. It never throws for malformed input: that is an `error` event too.
   */
  parseStream(body: AsyncIterable<Uint8Array>, endpoint: Endpoint): AsyncIterable<ModelStreamEvent>;
  /** The response from a non-streamed answer's JSON. */
  parseResponse(json: unknown, endpoint: Endpoint): ModelResponse;
  /** What an HTTP error answer means (status, body text, headers), with the provider's own message quoted. */
  parseError(status: number, bodyText: string, headers: Headers, endpoint: Endpoint): ModelErrorInfo;
  /** Embeddings, when the protocol has them. */
  buildEmbedRequest?(texts: string[], model: string, endpoint: Endpoint): WireRequest;
  parseEmbedResponse?(json: unknown): number[][];
}
