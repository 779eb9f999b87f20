import { AlephError, type ModelErrorInfo, type ModelMessage, type ModelRequest, type ModelResponse, type ModelStreamEvent, type ModelUsage, type StopReason } from "@aleph/plugin-sdk";
import { classifyStreamedError, errorDetails, parseHttpError } from "./http-errors.js";
import { arrayAt, isObject, numberAt, objectAt, parseJson, stringAt, type JsonObject } from "./json-fields.js";
import { readLines } from "./ndjson.js";
import type { Endpoint, ProtocolAdapter, WireRequest } from "./protocol.js";
import { activeThinking, checkRequest, maxTokensOf, modelOf, systemText } from "./request-parts.js";
import { hasContentPath, withResponsePaths } from "./response-paths.js";
import { StreamAssembler } from "./stream-assembler.js";
import { brokenStream, malformedAnswer, notJson, streamReadFailed } from "./stream-failures.js";
import { toolCallFromValue } from "./tool-arguments.js";
import { wireRequest, type AuthPlacement } from "./wire-request.js";

/*
 * Ollama's native chat API (POST /api/chat), streamed as one JSON object per line. It differs from
 * the OpenAI dialect in ways that matter: generation settings live in `options` (the context window
 * among them, which /v1 cannot set), a tool call comes whole in one line of any chunk, without an id
 * and with its arguments as an object, and the last line (`done: true`) carries the token counts.
 */

/** Ollama needs no key; one set (Ollama's cloud, an authenticating proxy) goes as a bearer token. */
const BEARER: AuthPlacement = { header: "authorization", prefix: "Bearer " };

export const ollamaAdapter: ProtocolAdapter = {
  name: "ollama",
  defaultBaseUrl: "http://127.0.0.1:11434",
  buildRequest,
  parseStream,
  parseResponse,
  parseError(status: number, bodyText: string, headers: Headers, endpoint: Endpoint): ModelErrorInfo {
    const info = parseHttpError(status, bodyText, headers, endpoint);
    if (info.kind !== "not_found") return info;
    return { ...info, fix: `run \`ollama pull ${endpoint.model}\` where Ollama runs (${endpoint.baseUrl}), or set model in [providers.${endpoint.provider}] of providers.toml to one \`ollama list\` shows` };
  },
  buildEmbedRequest(texts: string[], model: string, endpoint: Endpoint): WireRequest {
    return wireRequest(`${endpoint.baseUrl}/api/embed`, { model, input: texts }, endpoint, {}, BEARER);
  },
  parseEmbedResponse,
};

function buildRequest(request: ModelRequest, endpoint: Endpoint, stream: boolean): WireRequest {
  checkRequest(request, endpoint);
  const messages: JsonObject[] = [];
  const system = systemText(request);
  if (system !== "") messages.push({ role: "system", content: system });
  for (const message of request.messages) messages.push(toOllamaMessage(message));
  const options: JsonObject = { num_predict: maxTokensOf(request) };
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (endpoint.numCtx !== undefined) options.num_ctx = endpoint.numCtx;
  // `stream` defaults to true in Ollama, so it is always said.
  const body: JsonObject = { model: modelOf(request, endpoint), messages, stream, options };
  const tools = request.tools ?? [];
  if (tools.length > 0) body.tools = tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
  if (activeThinking(request, endpoint)) body.think = true;
  return wireRequest(`${endpoint.baseUrl}/api/chat`, body, endpoint, {}, BEARER);
}

function toOllamaMessage(message: ModelMessage): JsonObject {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      return { role: "tool", content: message.content, tool_name: message.name };
    case "assistant": {
      const out: JsonObject = { role: "assistant", content: message.content };
      // Templates of thinking models (gpt-oss) put the previous turn's thinking back into a tool loop.
      const thinking = (message.thinking ?? []).map((block) => block.text).join("");
      if (thinking !== "") out.thinking = thinking;
      const calls = message.toolCalls ?? [];
      if (calls.length > 0) out.tool_calls = calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
      return out;
    }
  }
}

async function* parseStream(body: AsyncIterable<Uint8Array>, endpoint: Endpoint): AsyncIterable<ModelStreamEvent> {
  const out = new StreamAssembler(endpoint);
  let calls = 0;
  try {
    for await (const line of readLines(body)) {
      const parsed = parseJson(line);
      if (!parsed.ok || !isObject(parsed.value)) {
        yield { type: "error", error: notJson(endpoint, line) };
        return;
      }
      const chunk = parsed.value;
      if (chunk.error !== undefined && chunk.error !== null) {
        yield { type: "error", error: classifyStreamedError(errorDetails(chunk), endpoint) };
        return;
      }
      const message = objectAt(chunk, "message");
      const thinking = stringAt(message, "thinking");
      if (thinking) yield out.thinking(thinking);
      const text = stringAt(message, "content");
      if (text) {
        out.closeThinking();
        yield out.text(text);
      }
      // Tool calls come whole, in whichever line the model finished them: not only the last one.
      for (const call of arrayAt(message, "tool_calls") ?? []) {
        const index = calls++;
        const fn = objectAt(call, "function");
        const id = stringAt(call, "id") ?? `call_${index}`;
        const name = stringAt(fn, "name") ?? "";
        const args = fn?.arguments;
        yield { type: "tool_call_start", index, id, name };
        yield { type: "tool_call_delta", index, text: typeof args === "string" ? args : JSON.stringify(args ?? {}) };
        yield out.toolCall(index, toolCallFromValue(id, name, args));
      }
      if (chunk.done === true) {
        const reason = stringAt(chunk, "done_reason");
        if (reason) out.stop(stopReasonOf(reason));
        out.usage(usageOf(chunk));
        yield* out.finish();
        return;
      }
    }
  } catch (error) {
    yield { type: "error", error: streamReadFailed(endpoint, error) };
    return;
  }
  yield { type: "error", error: brokenStream(endpoint, "ended before its done line") };
}

function parseResponse(json: unknown, endpoint: Endpoint): ModelResponse {
  const message = objectAt(json, "message");
  if (!isObject(json) || (message === undefined && !hasContentPath(endpoint))) throw malformedAnswer(endpoint, "chat answer (no message)");
  const out = new StreamAssembler(endpoint);
  const thinking = stringAt(message, "thinking");
  if (thinking) out.thinking(thinking);
  out.text(stringAt(message, "content") ?? "");
  for (const [index, call] of (arrayAt(message, "tool_calls") ?? []).entries()) {
    const fn = objectAt(call, "function");
    out.toolCall(index, toolCallFromValue(stringAt(call, "id") ?? `call_${index}`, stringAt(fn, "name") ?? "", fn?.arguments));
  }
  const reason = stringAt(json, "done_reason");
  if (reason) out.stop(stopReasonOf(reason));
  out.usage(usageOf(json));
  return withResponsePaths(out.response(), json, endpoint);
}

function parseEmbedResponse(json: unknown): number[][] {
  const embeddings = arrayAt(json, "embeddings");
  if (!embeddings) throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", "the embeddings answer has no embeddings list", { fix: "check that base_url points at Ollama (0.3.4 or later has /api/embed)" });
  return embeddings.map((row, index) => {
    if (!Array.isArray(row) || !row.every((value) => typeof value === "number")) {
      throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `embedding ${index} of the answer is not a list of numbers`);
    }
    return row;
  });
}

function usageOf(chunk: JsonObject): Partial<ModelUsage> {
  const counts: Partial<ModelUsage> = {};
  const input = numberAt(chunk, "prompt_eval_count");
  const output = numberAt(chunk, "eval_count");
  if (input !== undefined) counts.inputTokens = input;
  if (output !== undefined) counts.outputTokens = output;
  return counts;
}

function stopReasonOf(reason: string): StopReason {
  switch (reason) {
    case "stop":
      return "end";
    case "length":
      return "max_tokens";
    default:
      return "other";
  }
}
