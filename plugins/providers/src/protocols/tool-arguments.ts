import type { ModelToolCall } from "@aleph/plugin-sdk";
import { isObject, parseJson } from "./json-fields.js";

/*
 * A model writes a tool call's arguments as JSON text, and sometimes writes it badly (cut off by
 * max_tokens, a trailing comma, prose). The call still goes to the agent loop with the text kept in
 * `invalidArguments`, so the loop can tell the model what it got wrong instead of the turn failing.
 */

/** The call for `argumentText`: its arguments parsed, or `{}` plus the text as it came when it is not a JSON object. */
export function toolCallFromText(id: string, name: string, argumentText: string): ModelToolCall {
  // A tool without parameters streams no argument text at all (Anthropic) or "" (OpenAI).
  if (argumentText.trim() === "") return { id, name, arguments: {} };
  const parsed = parseJson(argumentText);
  if (parsed.ok && isObject(parsed.value)) return { id, name, arguments: parsed.value };
  return { id, name, arguments: {}, invalidArguments: argumentText };
}

/** The call for arguments that arrived as a value (Ollama sends an object; some servers a string of JSON). */
export function toolCallFromValue(id: string, name: string, value: unknown): ModelToolCall {
  if (isObject(value)) return { id, name, arguments: value };
  if (typeof value === "string") return toolCallFromText(id, name, value);
  if (value === undefined || value === null) return { id, name, arguments: {} };
  return { id, name, arguments: {}, invalidArguments: JSON.stringify(value) };
}
