import type { ModelResponse } from "@aleph/plugin-sdk";
import { valueAtPath } from "./json-fields.js";
import type { Endpoint } from "./protocol.js";

/*
 * A custom protocol may say where a non-streamed answer keeps its text and token counts when a
 * server moved them; those paths win over the built-in's reading. A path that finds nothing (or
 * the wrong type) leaves the built-in's value, so a half-right protocol file degrades, not breaks.
 */

/** True when the custom protocol says where the text is, so a body without the built-in's structure is still an answer. */
export function hasContentPath(endpoint: Endpoint): boolean {
  return endpoint.responsePaths?.content !== undefined;
}

export function withResponsePaths(response: ModelResponse, json: unknown, endpoint: Endpoint): ModelResponse {
  const paths = endpoint.responsePaths;
  if (!paths) return response;
  const text = paths.content === undefined ? undefined : valueAtPath(json, paths.content);
  const inputTokens = paths.inputTokens === undefined ? undefined : valueAtPath(json, paths.inputTokens);
  const outputTokens = paths.outputTokens === undefined ? undefined : valueAtPath(json, paths.outputTokens);
  const result = typeof text === "string" ? { ...response, text } : response;
  if (typeof inputTokens !== "number" && typeof outputTokens !== "number") return result;
  const usage = { inputTokens: 0, outputTokens: 0, ...result.usage };
  if (typeof inputTokens === "number") usage.inputTokens = inputTokens;
  if (typeof outputTokens === "number") usage.outputTokens = outputTokens;
  return { ...result, usage };
}
