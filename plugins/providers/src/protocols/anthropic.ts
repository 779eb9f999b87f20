import type { ModelMessage, ModelRequest, ModelResponse, ModelStreamEvent, ModelUsage, StopReason, ThinkingLevel } from "@aleph/plugin-sdk";
import { classifyStreamedError, errorDetails, parseHttpError } from "./http-errors.js";
import { arrayAt, isObject, numberAt, objectAt, parseJson, stringAt, type JsonObject } from "./json-fields.js";
import type { Endpoint, ProtocolAdapter, WireRequest } from "./protocol.js";
import { activeThinking, checkRequest, maxTokensOf, modelOf, systemBlocks } from "./request-parts.js";
import { hasContentPath, withResponsePaths } from "./response-paths.js";
import { readSseEvents } from "./sse.js";
import { StreamAssembler } from "./stream-assembler.js";
import { brokenStream, malformedAnswer, notJson, streamReadFailed } from "./stream-failures.js";
import { toolCallFromText, toolCallFromValue } from "./tool-arguments.js";
import { wireRequest } from "./wire-request.js";

/*
 * Anthropic's Messages API (POST /v1/messages), streamed as server-sent events. What differs from
 * the others and is easy to get wrong: the system prompt is a list of blocks that may carry cache
 * breakpoints; tool results are user messages (a run of them must be one message); max_tokens is
 * required; with extended thinking on, temperature must be left out and the thinking blocks of
 * the assistant turns in a tool loop must go back exactly as they came, signature included.
 */

const API_VERSION = "2023-06-01";
const EPHEMERAL = { type: "ephemeral" } as const;
/** The API refuses a request with more cache breakpoints than this. */
const MAX_CACHE_BREAKPOINTS = 4;

/** budget_tokens per level: minimal is the API's floor. */
export const ANTHROPIC_THINKING_BUDGETS: Record<Exclude<ThinkingLevel, "off">, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

export const anthropicAdapter: ProtocolAdapter = {
  name: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com",
  buildRequest,
  parseStream,
  parseResponse,
  parseError: parseHttpError,
};

function buildRequest(request: ModelRequest, endpoint: Endpoint, stream: boolean): WireRequest {
  checkRequest(request, endpoint);
  const system = systemBlocks(request);
  const breakpoints = system.filter((block) => block.cache).length;
  const thinking = activeThinking(request, endpoint);
  let maxTokens = maxTokensOf(request);
  const body: JsonObject = { model: modelOf(request, endpoint), max_tokens: maxTokens };
  if (system.length > 0) body.system = system.map((block) => ({ type: "text", text: block.text, ...(block.cache ? { cache_control: EPHEMERAL } : {}) }));
  body.messages = toAnthropicMessages(request.messages, thinking !== undefined);
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    // Tools come before the system prompt in the cached prefix: marking the last one caches them
    // on their own, so a system prompt that changes after its cached part still reuses them.
    const cacheTools = breakpoints > 0 && breakpoints < MAX_CACHE_BREAKPOINTS;
    body.tools = tools.map((tool, index) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters,
      ...(cacheTools && index === tools.length - 1 ? { cache_control: EPHEMERAL } : {}),
    }));
  }
  if (thinking) {
    const budget = ANTHROPIC_THINKING_BUDGETS[thinking];
    // The budget is part of max_tokens and must be below it: keep the caller's room for the answer.
    if (maxTokens <= budget) maxTokens += budget;
    body.max_tokens = maxTokens;
    body.thinking = { type: "enabled", budget_tokens: budget };
  } else if (request.temperature !== undefined) {
    body.temperature = request.temperature;
  }
  if (stream) body.stream = true;
  return wireRequest(`${endpoint.baseUrl}/v1/messages`, body, endpoint, { "anthropic-version": API_VERSION, ...(stream ? { accept: "text/event-stream" } : {}) }, { header: "x-api-key", prefix: "" });
}

interface AnthropicMessage {
  role: "user" | "assistant";
  content: string | JsonObject[];
}

function toAnthropicMessages(messages: ModelMessage[], thinkingOn: boolean): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  // The user message collecting the current run of tool results, while the run lasts.
  let results: JsonObject[] | undefined;
  for (const message of messages) {
    if (message.role === "tool") {
      const block = { type: "tool_result", tool_use_id: message.toolCallId, content: message.content, ...(message.isError ? { is_error: true } : {}) };
      if (results) results.push(block);
      else {
        results = [block];
        out.push({ role: "user", content: results });
      }
      continue;
    }
    if (message.role === "user") {
      // Text after tool results joins their message: the API wants the results first, then any text.
      if (results) {
        if (message.content !== "") results.push({ type: "text", text: message.content });
      } else out.push({ role: "user", content: message.content });
      results = undefined;
      continue;
    }
    results = undefined;
    const content = assistantContent(message, thinkingOn);
    if (content !== undefined) out.push({ role: "assistant", content });
  }
  return out;
}

function assistantContent(message: Extract<ModelMessage, { role: "assistant" }>, thinkingOn: boolean): string | JsonObject[] | undefined {
  const blocks: JsonObject[] = [];
  // Thinking goes back only while thinking is on (the API needs it then, and ignores it otherwise),
  // and only signed or redacted blocks: the API verifies them, and unsigned thinking (another
  // provider's, after a failover) would be refused.
  for (const thinking of thinkingOn ? (message.thinking ?? []) : []) {
    if (thinking.redacted !== undefined) blocks.push({ type: "redacted_thinking", data: thinking.redacted });
    else if (thinking.signature) blocks.push({ type: "thinking", thinking: thinking.text, signature: thinking.signature });
  }
  const calls = message.toolCalls ?? [];
  if (blocks.length === 0 && calls.length === 0) return message.content === "" ? undefined : message.content;
  if (message.content !== "") blocks.push({ type: "text", text: message.content });
  for (const call of calls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.arguments });
  return blocks;
}

type OpenBlock = { kind: "text" | "thinking" | "other" } | { kind: "tool"; index: number; id: string; name: string; json: string; input: unknown };

async function* parseStream(body: AsyncIterable<Uint8Array>, endpoint: Endpoint): AsyncIterable<ModelStreamEvent> {
  const out = new StreamAssembler(endpoint);
  const blocks = new Map<number, OpenBlock>();
  let tools = 0;
  try {
    for await (const sse of readSseEvents(body)) {
      const parsed = parseJson(sse.data);
      if (!parsed.ok || !isObject(parsed.value)) {
        yield { type: "error", error: notJson(endpoint, sse.data) };
        return;
      }
      const event = parsed.value;
      switch (stringAt(event, "type") ?? sse.event) {
        case "message_start":
          out.usage(usageOf(objectAt(objectAt(event, "message"), "usage")));
          break;
        case "content_block_start": {
          const index = numberAt(event, "index") ?? blocks.size;
          const block = objectAt(event, "content_block");
          const kind = stringAt(block, "type");
          if (kind === "text") {
            out.closeThinking();
            blocks.set(index, { kind: "text" });
            const text = stringAt(block, "text");
            if (text) yield out.text(text);
          } else if (kind === "tool_use") {
            out.closeThinking();
            const tool = { kind: "tool" as const, index: tools++, id: stringAt(block, "id") ?? "", name: stringAt(block, "name") ?? "", json: "", input: block?.input };
            blocks.set(index, tool);
            yield { type: "tool_call_start", index: tool.index, id: tool.id, name: tool.name };
          } else if (kind === "thinking") {
            out.startThinking();
            blocks.set(index, { kind: "thinking" });
            const text = stringAt(block, "thinking");
            if (text) yield out.thinking(text);
            const signature = stringAt(block, "signature");
            if (signature) out.signThinking(signature);
          } else if (kind === "redacted_thinking") {
            out.redactedThinking(stringAt(block, "data") ?? "");
            blocks.set(index, { kind: "other" });
          } else {
            // Server tools, citations and whatever comes next: nothing the agent loop can use yet.
            blocks.set(index, { kind: "other" });
          }
          break;
        }
        case "content_block_delta": {
          const block = blocks.get(numberAt(event, "index") ?? -1);
          const delta = objectAt(event, "delta");
          switch (stringAt(delta, "type")) {
            case "text_delta": {
              const text = stringAt(delta, "text");
              if (text) yield out.text(text);
              break;
            }
            case "thinking_delta": {
              const text = stringAt(delta, "thinking");
              if (text) yield out.thinking(text);
              break;
            }
            case "signature_delta":
              out.signThinking(stringAt(delta, "signature") ?? "");
              break;
            case "input_json_delta": {
              if (block?.kind !== "tool") {
                yield { type: "error", error: brokenStream(endpoint, `sent tool input for block ${String(event.index)}, which is not a tool_use block`) };
                return;
              }
              const text = stringAt(delta, "partial_json") ?? "";
              block.json += text;
              if (text) yield { type: "tool_call_delta", index: block.index, text };
              break;
            }
          }
          break;
        }
        case "content_block_stop": {
          const index = numberAt(event, "index") ?? -1;
          const block = blocks.get(index);
          if (block?.kind === "tool") {
            // No streamed input: a tool without parameters, or a server that put the input in the start block.
            const call = block.json === "" && isObject(block.input) ? toolCallFromValue(block.id, block.name, block.input) : toolCallFromText(block.id, block.name, block.json);
            yield out.toolCall(block.index, call);
          }
          blocks.delete(index);
          break;
        }
        case "message_delta": {
          const reason = stringAt(objectAt(event, "delta"), "stop_reason");
          if (reason) out.stop(stopReasonOf(reason));
          out.usage(usageOf(objectAt(event, "usage")));
          break;
        }
        case "message_stop":
          yield* out.finish();
          return;
        case "error":
          yield { type: "error", error: classifyStreamedError(errorDetails(event), endpoint) };
          return;
        default:
          // `ping`, and event types added after this was written.
          break;
      }
    }
  } catch (error) {
    yield { type: "error", error: streamReadFailed(endpoint, error) };
    return;
  }
  yield { type: "error", error: brokenStream(endpoint, "ended before message_stop") };
}

function parseResponse(json: unknown, endpoint: Endpoint): ModelResponse {
  const content = arrayAt(json, "content");
  if (!isObject(json) || (content === undefined && !hasContentPath(endpoint))) throw malformedAnswer(endpoint, "Messages API message (no content array)");
  const out = new StreamAssembler(endpoint);
  let tools = 0;
  for (const block of content ?? []) {
    switch (stringAt(block, "type")) {
      case "text":
        out.closeThinking();
        out.text(stringAt(block, "text") ?? "");
        break;
      case "thinking":
        out.startThinking();
        out.thinking(stringAt(block, "thinking") ?? "");
        out.signThinking(stringAt(block, "signature") ?? "");
        break;
      case "redacted_thinking":
        out.redactedThinking(stringAt(block, "data") ?? "");
        break;
      case "tool_use":
        out.closeThinking();
        out.toolCall(tools++, toolCallFromValue(stringAt(block, "id") ?? "", stringAt(block, "name") ?? "", isObject(block) ? block.input : undefined));
        break;
    }
  }
  const reason = stringAt(json, "stop_reason");
  if (reason) out.stop(stopReasonOf(reason));
  out.usage(usageOf(objectAt(json, "usage")));
  return withResponsePaths(out.response(), json, endpoint);
}

function usageOf(usage: JsonObject | undefined): Partial<ModelUsage> {
  const counts: Partial<ModelUsage> = {};
  const input = numberAt(usage, "input_tokens");
  const output = numberAt(usage, "output_tokens");
  const cacheRead = numberAt(usage, "cache_read_input_tokens");
  const cacheWrite = numberAt(usage, "cache_creation_input_tokens");
  if (input !== undefined) counts.inputTokens = input;
  if (output !== undefined) counts.outputTokens = output;
  if (cacheRead !== undefined) counts.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) counts.cacheWriteTokens = cacheWrite;
  return counts;
}

function stopReasonOf(reason: string): StopReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "end";
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "max_tokens";
    case "refusal":
      return "refusal";
    default:
      return "other";
  }
}
