import { AlephError } from "./errors.js";
import { createServiceRef } from "./service-ref.js";

/*
 * Talking to models. The `providers` plugin speaks three wire protocols (anthropic, openai,
 * ollama) and custom ones derived from them (<root>/protocols/*.yaml), behind one normalised
 * request and one normalised stream of events, so the agent loop never sees a vendor format.
 * A provider is a configured endpoint (providers.toml `[providers.<name>]`): protocol, model,
 * key, base URL.
 */

/** How hard a model should think before answering; `off` sends nothing. */
export type ThinkingLevel = "off" | "minimal" | "low" | "medium" | "high";
export const THINKING_LEVELS: readonly ThinkingLevel[] = ["off", "minimal", "low", "medium", "high"];

/** `[agent] max_tokens` when unset: Anthropic requires a value, the others get it as a cap. */
export const DEFAULT_MAX_TOKENS = 4096;

/** A tool call the model made: `arguments` is the parsed JSON object (the raw text when it did not parse). */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the model's argument text was not a JSON object: the text as it came. */
  invalidArguments?: string;
}

/**
 * A thinking block as the provider sent it. Anthropic requires the blocks (and their signatures)
 * of the last assistant turn to be sent back unchanged while a tool loop goes on.
 */
export interface ModelThinking {
  text: string;
  signature?: string;
  /** Anthropic's redacted_thinking: opaque data to send back as is. */
  redacted?: string;
}

/** One message of a normalised conversation. The system prompt is not a message: see ModelRequest.system. */
export type ModelMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ModelToolCall[]; thinking?: ModelThinking[] }
  | { role: "tool"; toolCallId: string; name: string; content: string; isError?: boolean };

/** A tool the model may call: its arguments as a JSON Schema object. */
export interface ModelTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A part of the system prompt. `cache: true` marks a prompt-cache breakpoint after it (Anthropic `cache_control`). */
export interface SystemBlock {
  text: string;
  cache?: boolean;
}

/** One request to a model, whatever the protocol. */
export interface ModelRequest {
  system?: string | SystemBlock[];
  messages: ModelMessage[];
  tools?: ModelTool[];
  /** Default DEFAULT_MAX_TOKENS. */
  maxTokens?: number;
  temperature?: number;
  /** Sent only to providers that declare `reasoning = true`; default off. */
  thinking?: ThinkingLevel;
  /** Overrides the provider's configured model for this request. */
  model?: string;
}

/** Token counts as the provider reported them (absent when it reported none). */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from / written to the provider's cache, where it says so. */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** Why the model stopped. */
export type StopReason = "end" | "tool_calls" | "max_tokens" | "refusal" | "other";

/** The assistant's whole answer, assembled from a stream. */
export interface ModelResponse {
  /** The provider that answered and the model it used. */
  provider: string;
  model: string;
  text: string;
  toolCalls: ModelToolCall[];
  thinking: ModelThinking[];
  usage?: ModelUsage;
  stopReason: StopReason;
}

/**
 * The normalised stream. Deltas arrive in order; a `tool_call_end` carries the parsed call; the
 * stream ends with exactly one `done` (the assembled response) or one `error`.
 */
export type ModelStreamEvent =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; text: string }
  | { type: "tool_call_end"; index: number; call: ModelToolCall }
  | { type: "usage"; usage: ModelUsage }
  /** The provider moved on: `from` failed (why), `to` is tried next. Only from `providers.stream`. */
  | { type: "failover"; from: string; to: string; reason: string }
  | { type: "done"; response: ModelResponse }
  | { type: "error"; error: ModelErrorInfo };

/**
 * What kind of failure a provider call met, which decides what happens next: `retryable` ones are
 * retried with backoff on the same provider, `auth`/`billing` move on to the next provider at once,
 * `invalid_request` ends the turn (another provider would refuse it too... unless it is a
 * capability mismatch, which the message says).
 */
export type ModelErrorKind = "retryable" | "auth" | "billing" | "invalid_request" | "not_found" | "timeout" | "cancelled" | "stream" | "config";

export interface ModelErrorInfo {
  kind: ModelErrorKind;
  /** A stable code: ALEPH_E_PROVIDER_AUTH, ALEPH_E_PROVIDER_HTTP, ALEPH_E_TIMEOUT, ALEPH_E_CANCELLED… */
  code: string;
  message: string;
  provider?: string;
  status?: number;
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  fix?: string;
}

/**
 * A stream's `error` event as the AlephError to throw (what `providers.complete` rejects with, and
 * what the agent loop ends a turn with): the provider named once, the fix kept, `kind` and `status`
 * carried along for callers that decide on them.
 */
export function modelError(info: ModelErrorInfo): AlephError & { kind: ModelErrorKind; status?: number } {
  const message = info.provider && !info.message.includes(info.provider) ? `${info.provider}: ${info.message}` : info.message;
  const error = new AlephError(info.code as `ALEPH_E_${string}`, message, info.fix ? { fix: info.fix } : {});
  return Object.assign(error, { kind: info.kind, ...(info.status ? { status: info.status } : {}) });
}

/** Options of one model call. */
export interface ModelCallOptions {
  /** Use this provider alone (no failover). */
  provider?: string;
  /** Try these providers in order (default: `[agent] providers`, else every enabled provider in providers.toml order). */
  providers?: string[];
  /** Cancels the call end to end (the HTTP request is aborted). Only in-process: a signal does not cross the control socket. */
  signal?: AbortSignal;
}

/** A provider as listed: never its key, only where the key comes from. */
export interface ProviderInfo {
  name: string;
  protocol: string;
  model: string | null;
  baseUrl: string;
  enabled: boolean;
  /** `literal`, `env:NAME`, `keys:name`, or `none`. */
  keySource: string;
  reasoning: boolean;
  /** Set while the provider is cooling down after repeated failures: until when (ms since the epoch). */
  coolingDownUntil?: number;
}

/** What `providers.test` measured. */
export interface ProviderTestResult {
  provider: string;
  model: string;
  ok: boolean;
  /** Milliseconds to the first streamed byte of the answer, and to its end. */
  firstTokenMs?: number;
  totalMs: number;
  usage?: ModelUsage;
  text?: string;
  error?: ModelErrorInfo;
}

export interface EmbedOptions {
  provider?: string;
  model?: string;
  signal?: AbortSignal;
}

export interface EmbedResult {
  provider: string;
  model: string;
  vectors: number[][];
}

/** The `providers` service. */
export interface ProvidersService {
  list(): ProviderInfo[];
  /** Streams one model call, with retries, cooldowns and failover; never throws: failures end the stream with an `error` event. */
  stream(request: ModelRequest, options?: ModelCallOptions): AsyncIterable<ModelStreamEvent>;
  /** The same call, collected: resolves to the response, rejects with an AlephError carrying ModelErrorInfo fields. */
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
  /** A tiny completion against one provider, timed. */
  test(name: string, options?: { signal?: AbortSignal }): Promise<ProviderTestResult>;
  /** Embeddings through a provider whose protocol has them (openai, ollama); retried as a model call is (max_retries, Retry-After, timeout_ms), never failed over — callers do not retry on top. */
  embed(texts: string[], options?: EmbedOptions): Promise<EmbedResult>;
}

export const providersRef = createServiceRef<ProvidersService>("providers");

/** A wire protocol as listed: a built-in one, or a custom one from <root>/protocols/*.yaml. */
export interface ProtocolInfo {
  name: string;
  /** The built-in it extends (itself for a built-in). */
  base: "anthropic" | "openai" | "ollama";
  source: "builtin" | string;
  /** Set for a custom protocol file that does not validate: what is wrong (the others keep working). */
  error?: { message: string; file: string; line?: number; field?: string };
}

/** What `protocols.validate` found: the protocol a valid file defines, else each problem with its place. */
export interface ProtocolValidation {
  file: string;
  protocol?: { name: string; base: "anthropic" | "openai" | "ollama" };
  issues: { file: string; line?: number; field?: string; message: string }[];
}

/** The `protocols` service: the wire protocols providers may name. */
export interface ProtocolsService {
  list(): ProtocolInfo[];
  /** Validates a protocol file (an absolute path) without installing it: what it defines, or the issues found. */
  validate(file: string): Promise<ProtocolValidation>;
}

export const protocolsRef = createServiceRef<ProtocolsService>("protocols");
