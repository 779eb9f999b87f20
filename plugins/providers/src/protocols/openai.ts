import { AlephError, type ModelMessage, type ModelRequest, type ModelResponse, type ModelStreamEvent, type ModelUsage, type StopReason } from "@aleph/plugin-sdk";
import { classifyStreamedError, errorDetails, parseHttpError } from "./http-errors.js";
import { arrayAt, isObject, numberAt, objectAt, parseJson, stringAt, type JsonObject } from "./json-fields.js";
import type { Endpoint, ProtocolAdapter, WireRequest } from "./protocol.js";
import { activeThinking, checkRequest, maxTokensOf, modelOf, systemText } from "./request-parts.js";
import { hasContentPath, withResponsePaths } from "./response-paths.js";
import { readSseEvents } from "./sse.js";
import { StreamAssembler } from "./stream-assembler.js";
import { brokenStream, malformedAnswer, notJson, streamReadFailed } from "./stream-failures.js";
import { toolCallFromText } from "./tool-arguments.js";
import { wireRequest, type AuthPlacement } from "./wire-request.js";

/*
 * OpenAI's Chat Completions (POST {base}/chat/completions, the base including /v1), the dialect
 * most servers copy: vLLM, llama.cpp, LM Studio, Ollama's /v1, OpenRouter, Groq, DeepSeek… So the
 * parsing is lenient where the copies differ: thinking arrives as `reasoning_content` (DeepSeek,
 * vLLM, llama.cpp) or `reasoning` (OpenRouter); usage may ride on any chunk; a tool call may come
 * whole in one delta; a stream that gave its finish_reason but no `[DONE]` still counts as whole.
 */

const BEARER: AuthPlacement = { header: "authorization", prefix: "Bearer " };

export const openaiAdapter: ProtocolAdapter = {
  name: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  buildRequest,
  parseStream,
  parseResponse,
  parseError: parseHttpError,
  buildEmbedRequest(texts: string[], model: string, endpoint: Endpoint): WireRequest {
    return wireRequest(`${endpoint.baseUrl}/embeddings`, { model, input: texts }, endpoint, {}, BEARER);
  },
  parseEmbedResponse,
};

function buildRequest(request: ModelRequest, endpoint: Endpoint, stream: boolean): WireRequest {
  checkRequest(request, endpoint);
  const messages: JsonObject[] = [];
  const system = systemText(request);
  if (system !== "") messages.push({ role: "system", content: system });
  for (const message of request.messages) messages.push(toOpenAiMessage(message));
  const body: JsonObject = { model: modelOf(request, endpoint), messages };
  // `max_tokens` is what every compatible server reads (Ollama, vLLM, llama.cpp, LM Studio); OpenAI
  // still takes it except from its reasoning models, which refuse it for `max_completion_tokens`
  // and refuse any temperature but the default. A provider marked `reasoning = true` is such a
  // model, so it gets their rules (an `extra = { temperature = … }` still sends one).
  if (endpoint.reasoning) body.max_completion_tokens = maxTokensOf(request);
  else {
    body.max_tokens = maxTokensOf(request);
    if (request.temperature !== undefined) body.temperature = request.temperature;
  }
  const tools = request.tools ?? [];
  if (tools.length > 0) body.tools = tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
  const thinking = activeThinking(request, endpoint);
  if (thinking) body.reasoning_effort = thinking;
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return wireRequest(`${endpoint.baseUrl}/chat/completions`, body, endpoint, stream ? { accept: "text/event-stream" } : {}, BEARER);
}

function toOpenAiMessage(message: ModelMessage): JsonObject {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      // The protocol has no error flag for a tool result: the content says so.
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant": {
      // Thinking is not sent back: Chat Completions has no field for it, and DeepSeek refuses
      // `reasoning_content` in the input.
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: "assistant", content: message.content };
      return {
        role: "assistant",
        content: message.content === "" ? null : message.content,
        // The parsed arguments, even for a call that did not parse: servers that re-parse them
        // refuse invalid JSON, and the tool's answer already told the model what went wrong.
        tool_calls: calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
      };
    }
  }
}

interface PendingCall {
  index: number;
  id: string;
  name: string;
  args: string;
}

async function* parseStream(body: AsyncIterable<Uint8Array>, endpoint: Endpoint): AsyncIterable<ModelStreamEvent> {
  const out = new StreamAssembler(endpoint);
  const calls = new Map<number, PendingCall>();
  let finished = false;
  const endCalls = function* (): Generator<ModelStreamEvent> {
    for (const call of [...calls.values()].sort((a, b) => a.index - b.index)) yield out.toolCall(call.index, toolCallFromText(call.id, call.name, call.args));
    calls.clear();
  };
  try {
    for await (const sse of readSseEvents(body)) {
      if (sse.data.trim() === "[DONE]") {
        yield* endCalls();
        yield* out.finish();
        return;
      }
      const parsed = parseJson(sse.data);
      if (!parsed.ok || !isObject(parsed.value)) {
        yield { type: "error", error: notJson(endpoint, sse.data) };
        return;
      }
      const chunk = parsed.value;
      if (chunk.error !== undefined && chunk.error !== null) {
        yield { type: "error", error: classifyStreamedError(errorDetails(chunk), endpoint) };
        return;
      }
      const usage = objectAt(chunk, "usage");
      if (usage) out.usage(usageOf(usage));
      const choice = arrayAt(chunk, "choices")?.[0];
      const delta = objectAt(choice, "delta");
      const thinking = stringAt(delta, "reasoning_content") ?? stringAt(delta, "reasoning");
      if (thinking) yield out.thinking(thinking);
      const text = stringAt(delta, "content");
      if (text) {
        out.closeThinking();
        yield out.text(text);
      }
      for (const piece of arrayAt(delta, "tool_calls") ?? []) {
        const index = numberAt(piece, "index") ?? calls.size;
        const fn = objectAt(piece, "function");
        let call = calls.get(index);
        if (!call) {
          call = { index, id: stringAt(piece, "id") ?? `call_${index}`, name: stringAt(fn, "name") ?? "", args: "" };
          calls.set(index, call);
          yield { type: "tool_call_start", index, id: call.id, name: call.name };
        }
        const args = stringAt(fn, "arguments");
        if (args) {
          call.args += args;
          yield { type: "tool_call_delta", index, text: args };
        }
      }
      const reason = stringAt(choice, "finish_reason");
      if (reason) {
        out.stop(stopReasonOf(reason));
        finished = true;
        yield* endCalls();
      }
    }
  } catch (error) {
    yield { type: "error", error: streamReadFailed(endpoint, error) };
    return;
  }
  if (!finished) {
    yield { type: "error", error: brokenStream(endpoint, "ended before a finish_reason or [DONE]") };
    return;
  }
  yield* out.finish();
}

function parseResponse(json: unknown, endpoint: Endpoint): ModelResponse {
  const choice = arrayAt(json, "choices")?.[0];
  const message = objectAt(choice, "message");
  if (!isObject(json) || (message === undefined && !hasContentPath(endpoint))) throw malformedAnswer(endpoint, "chat completion (no choices[0].message)");
  const out = new StreamAssembler(endpoint);
  const thinking = stringAt(message, "reasoning_content") ?? stringAt(message, "reasoning");
  if (thinking) out.thinking(thinking);
  out.text(contentText(message?.content));
  for (const [index, call] of (arrayAt(message, "tool_calls") ?? []).entries()) {
    const fn = objectAt(call, "function");
    out.toolCall(index, toolCallFromText(stringAt(call, "id") ?? `call_${index}`, stringAt(fn, "name") ?? "", stringAt(fn, "arguments") ?? ""));
  }
  const reason = stringAt(choice, "finish_reason");
  if (reason) out.stop(stopReasonOf(reason));
  out.usage(usageOf(objectAt(json, "usage")));
  return withResponsePaths(out.response(), json, endpoint);
}

/** A message's content: a string, null, or (some servers) a list of text parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => stringAt(part, "text") ?? "").join("");
}

function parseEmbedResponse(json: unknown): number[][] {
  const data = arrayAt(json, "data");
  if (!data) throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", "the embeddings answer has no data list", { fix: "check that the provider's base_url points at an OpenAI-compatible /v1" });
  const rows = data.map((row, position) => ({ index: numberAt(row, "index") ?? position, embedding: isObject(row) ? row.embedding : undefined }));
  rows.sort((a, b) => a.index - b.index);
  return rows.map((row) => {
    if (!Array.isArray(row.embedding) || !row.embedding.every((value) => typeof value === "number")) {
      throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `embedding ${row.index} of the answer is not a list of numbers`, { fix: "ask for float embeddings (the default): base64 encoding is not read" });
    }
    return row.embedding;
  });
}

function usageOf(usage: JsonObject | undefined): Partial<ModelUsage> {
  const counts: Partial<ModelUsage> = {};
  const input = numberAt(usage, "prompt_tokens");
  const output = numberAt(usage, "completion_tokens");
  const cached = numberAt(objectAt(usage, "prompt_tokens_details"), "cached_tokens");
  if (input !== undefined) counts.inputTokens = input;
  if (output !== undefined) counts.outputTokens = output;
  if (cached !== undefined) counts.cacheReadTokens = cached;
  return counts;
}

function stopReasonOf(reason: string): StopReason {
  switch (reason) {
    case "stop":
      return "end";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "length":
      return "max_tokens";
    case "content_filter":
      return "refusal";
    default:
      return "other";
  }
}
