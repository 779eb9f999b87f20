/*
 * What the fake model server writes: a scripted reply in each of the three wire formats, as the
 * real APIs write it (Anthropic Messages SSE, OpenAI Chat Completions SSE, Ollama NDJSON), streamed
 * as a list of frames (one SSE event or one JSON line each) or as one JSON body. Pure functions:
 * the server decides when each frame goes out.
 */

/** The wire protocol a request came in on, known from its route. */
export type FakeModelProtocol = "anthropic" | "openai" | "ollama";

/** Token counts a scripted reply reports. */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  /** Anthropic `cache_read_input_tokens`, OpenAI `prompt_tokens_details.cached_tokens`. */
  cacheReadTokens?: number;
  /** Anthropic `cache_creation_input_tokens`. */
  cacheWriteTokens?: number;
}

/** A tool call the fake model makes. `arguments` as a string is sent as written (to script a model that writes broken JSON). */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
  /** Default `toolu_fake_<n>` / `call_fake_<n>`; Ollama sends none, as the real one does. */
  id?: string;
}

/** The content of a scripted reply, as the wire encoders need it. */
export interface FakeReplyContent {
  text?: string;
  thinking?: string;
  /** Anthropic's thinking signature (default `fake-signature`). */
  thinkingSignature?: string;
  /** Anthropic redacted_thinking blocks (their opaque data), sent before any thinking. */
  redactedThinking?: string[];
  toolCalls?: FakeToolCall[];
  /** Default `tool_calls` when the reply has tool calls, else `end`. */
  stopReason?: "end" | "tool_calls" | "max_tokens" | "refusal";
  /** Default `{ inputTokens: 10, outputTokens: 5 }`. */
  usage?: FakeUsage;
  /** Characters per text, thinking or argument delta (default 8). */
  chunkChars?: number;
}

export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 10, outputTokens: 5 };

interface ReplyParts {
  text: string;
  thinking: string;
  signature: string;
  redacted: string[];
  calls: { id: string; name: string; argumentText: string; argumentValue: unknown }[];
  stop: NonNullable<FakeReplyContent["stopReason"]>;
  usage: FakeUsage;
  chunk: number;
}

function partsOf(reply: FakeReplyContent, protocol: FakeModelProtocol): ReplyParts {
  const calls = (reply.toolCalls ?? []).map((call, index) => {
    const argumentText = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    return { id: call.id ?? `${protocol === "anthropic" ? "toolu" : "call"}_fake_${index}`, name: call.name, argumentText, argumentValue: parseOrKeep(argumentText) };
  });
  return {
    text: reply.text ?? "",
    thinking: reply.thinking ?? "",
    signature: reply.thinkingSignature ?? "fake-signature",
    redacted: reply.redactedThinking ?? [],
    calls,
    stop: reply.stopReason ?? (calls.length > 0 ? "tool_calls" : "end"),
    usage: reply.usage ?? DEFAULT_FAKE_USAGE,
    chunk: Math.max(1, reply.chunkChars ?? 8),
  };
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

const sse = (event: string | undefined, data: unknown): string => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
const line = (data: unknown): string => `${JSON.stringify(data)}\n`;

/** The frames of a streamed reply. `includeUsage` is OpenAI's `stream_options.include_usage`. */
export function streamFrames(protocol: FakeModelProtocol, reply: FakeReplyContent, model: string, includeUsage: boolean): string[] {
  const parts = partsOf(reply, protocol);
  switch (protocol) {
    case "anthropic":
      return anthropicFrames(parts, model);
    case "openai":
      return openaiFrames(parts, model, includeUsage);
    case "ollama":
      return ollamaFrames(parts, model);
  }
}

/** The JSON body of a non-streamed reply. */
export function replyBody(protocol: FakeModelProtocol, reply: FakeReplyContent, model: string): Record<string, unknown> {
  const parts = partsOf(reply, protocol);
  switch (protocol) {
    case "anthropic": {
      const content: Record<string, unknown>[] = parts.redacted.map((data) => ({ type: "redacted_thinking", data }));
      if (parts.thinking) content.push({ type: "thinking", thinking: parts.thinking, signature: parts.signature });
      if (parts.text) content.push({ type: "text", text: parts.text });
      for (const call of parts.calls) content.push({ type: "tool_use", id: call.id, name: call.name, input: call.argumentValue });
      return { id: "msg_fake", type: "message", role: "assistant", model, content, stop_reason: ANTHROPIC_STOP[parts.stop], stop_sequence: null, usage: anthropicUsage(parts.usage) };
    }
    case "openai": {
      const message: Record<string, unknown> = { role: "assistant", content: parts.text === "" ? null : parts.text };
      if (parts.thinking) message.reasoning_content = parts.thinking;
      if (parts.calls.length > 0) message.tool_calls = parts.calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.argumentText } }));
      return { id: "chatcmpl-fake", object: "chat.completion", created: 0, model, choices: [{ index: 0, message, finish_reason: OPENAI_STOP[parts.stop] }], usage: openaiUsage(parts.usage) };
    }
    case "ollama": {
      const message: Record<string, unknown> = { role: "assistant", content: parts.text };
      if (parts.thinking) message.thinking = parts.thinking;
      if (parts.calls.length > 0) message.tool_calls = parts.calls.map((call) => ({ function: { name: call.name, arguments: call.argumentValue } }));
      return { model, created_at: new Date(0).toISOString(), message, ...ollamaDone(parts) };
    }
  }
}

/** The body each API sends with an error status, with `message` in it. */
export function errorBody(protocol: FakeModelProtocol, status: number, message: string): Record<string, unknown> {
  switch (protocol) {
    case "anthropic":
      return { type: "error", error: { type: ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message } };
    case "openai":
      return { error: { message, type: status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null } };
    case "ollama":
      return { error: message };
  }
}

export function embeddingsBody(protocol: FakeModelProtocol, vectors: number[][], model: string): Record<string, unknown> {
  if (protocol === "ollama") return { model, embeddings: vectors };
  return { object: "list", model, data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })), usage: { prompt_tokens: vectors.length, total_tokens: vectors.length } };
}

const ANTHROPIC_STOP = { end: "end_turn", tool_calls: "tool_use", max_tokens: "max_tokens", refusal: "refusal" } as const;
const OPENAI_STOP = { end: "stop", tool_calls: "tool_calls", max_tokens: "length", refusal: "content_filter" } as const;
const OLLAMA_STOP = { end: "stop", tool_calls: "stop", max_tokens: "length", refusal: "stop" } as const;
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function anthropicUsage(usage: FakeUsage): Record<string, number> {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    ...(usage.cacheReadTokens === undefined ? {} : { cache_read_input_tokens: usage.cacheReadTokens }),
    ...(usage.cacheWriteTokens === undefined ? {} : { cache_creation_input_tokens: usage.cacheWriteTokens }),
  };
}

function openaiUsage(usage: FakeUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cacheReadTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: usage.cacheReadTokens } }),
  };
}

function ollamaDone(parts: ReplyParts): Record<string, unknown> {
  return { done: true, done_reason: OLLAMA_STOP[parts.stop], total_duration: 0, load_duration: 0, prompt_eval_count: parts.usage.inputTokens, prompt_eval_duration: 0, eval_count: parts.usage.outputTokens, eval_duration: 0 };
}

function anthropicFrames(parts: ReplyParts, model: string): string[] {
  const frames = [
    sse("message_start", { type: "message_start", message: { id: "msg_fake", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage({ ...parts.usage, outputTokens: 1 }) } }),
    sse("ping", { type: "ping" }),
  ];
  let index = 0;
  const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[]) => {
    frames.push(sse("content_block_start", { type: "content_block_start", index, content_block: start }));
    for (const delta of deltas) frames.push(sse("content_block_delta", { type: "content_block_delta", index, delta }));
    frames.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  };
  for (const data of parts.redacted) block({ type: "redacted_thinking", data }, []);
  if (parts.thinking) {
    block({ type: "thinking", thinking: "", signature: "" }, [
      ...pieces(parts.thinking, parts.chunk).map((thinking) => ({ type: "thinking_delta", thinking })),
      { type: "signature_delta", signature: parts.signature },
    ]);
  }
  if (parts.text) block({ type: "text", text: "" }, pieces(parts.text, parts.chunk).map((text) => ({ type: "text_delta", text })));
  for (const call of parts.calls) {
    block({ type: "tool_use", id: call.id, name: call.name, input: {} }, pieces(call.argumentText, parts.chunk).map((partial_json) => ({ type: "input_json_delta", partial_json })));
  }
  frames.push(sse("message_delta", { type: "message_delta", delta: { stop_reason: ANTHROPIC_STOP[parts.stop], stop_sequence: null }, usage: { output_tokens: parts.usage.outputTokens } }));
  frames.push(sse("message_stop", { type: "message_stop" }));
  return frames;
}

function openaiFrames(parts: ReplyParts, model: string, includeUsage: boolean): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    sse(undefined, { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  const frames = [chunk({ role: "assistant", content: "" })];
  for (const text of pieces(parts.thinking, parts.chunk)) frames.push(chunk({ reasoning_content: text }));
  for (const text of pieces(parts.text, parts.chunk)) frames.push(chunk({ content: text }));
  for (const [index, call] of parts.calls.entries()) {
    frames.push(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
    for (const text of pieces(call.argumentText, parts.chunk)) frames.push(chunk({ tool_calls: [{ index, function: { arguments: text } }] }));
  }
  frames.push(chunk({}, OPENAI_STOP[parts.stop]));
  if (includeUsage) frames.push(sse(undefined, { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model, choices: [], usage: openaiUsage(parts.usage) }));
  frames.push("data: [DONE]\n\n");
  return frames;
}

function ollamaFrames(parts: ReplyParts, model: string): string[] {
  const created_at = new Date(0).toISOString();
  const chunk = (message: Record<string, unknown>) => line({ model, created_at, message: { role: "assistant", content: "", ...message }, done: false });
  const frames = [
    ...pieces(parts.thinking, parts.chunk).map((thinking) => chunk({ thinking })),
    ...pieces(parts.text, parts.chunk).map((content) => chunk({ content })),
  ];
  // Ollama sends each finished tool call in the chunk where the model finished it, not only at the end.
  for (const call of parts.calls) frames.push(chunk({ tool_calls: [{ function: { name: call.name, arguments: call.argumentValue } }] }));
  frames.push(line({ model, created_at, message: { role: "assistant", content: "" }, ...ollamaDone(parts) }));
  return frames;
}
