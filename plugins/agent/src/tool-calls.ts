import { errorMessage, isAlephError, type AgentTurnEvent, type Logger, type ModelToolCall, type PluginEvents, type ToolCallContext, type ToolInfo, type ToolsService } from "@aleph/plugin-sdk";
import type { AgentConfig } from "./config.js";

/*
 * The model's tool calls, run through the `tools` registry (Node and WASM tools alike, arguments
 * validated against their schemas there). The calls of one step run concurrently and their results
 * come back in the order the model asked; a failing tool gives the model an error result to work
 * with instead of ending the turn — its message, and its fix when it has one.
 */

/** The most characters of one tool result sent back to the model. */
export const MAX_TOOL_RESULT_CHARS = 100_000;

export interface ToolResult {
  id: string;
  name: string;
  ok: boolean;
  content: string;
}

/** The longest a turn waits for tools still coming (an MCP server without a cached list, connecting). */
export const TOOLS_SETTLE_MS = 10_000;

/**
 * Waits, bounded, for plugins still registering tools, so the first message after a start is not
 * answered without them; usually nothing is pending and this costs nothing.
 */
export async function toolsSettled(tools: ToolsService | undefined, log: Logger, sessionKey: string): Promise<void> {
  if (!tools) return;
  const started = performance.now();
  await tools.settled(TOOLS_SETTLE_MS);
  const ms = Math.round(performance.now() - started);
  if (ms >= 50) log.info("waited for tools still being registered", { ms, sessionKey });
}

/** The tools this agent is offered: all registered ones, narrowed by its tools_allow / tools_deny. */
export function offeredTools(tools: ToolsService | undefined, perAgent: AgentConfig["agents"][string] | undefined): ToolInfo[] {
  if (!tools) return [];
  return tools.list().filter((t) => (!perAgent?.tools_allow || perAgent.tools_allow.includes(t.name)) && !perAgent?.tools_deny?.includes(t.name));
}

/** A failed call as the model reads it: the message, and the error's fix when it has one (what to do instead). */
function errorResult(error: unknown): string {
  const fix = isAlephError(error) ? error.fix : undefined;
  return `error: ${errorMessage(error)}${fix ? `\nfix: ${fix}` : ""}`;
}

const asText = (value: unknown): string => {
  const text = typeof value === "string" ? value : (JSON.stringify(value ?? null) ?? "null");
  return text.length <= MAX_TOOL_RESULT_CHARS ? text : `${text.slice(0, MAX_TOOL_RESULT_CHARS)}\n[… result cut to ${MAX_TOOL_RESULT_CHARS} characters]`;
};

export async function runToolCalls(
  tools: ToolsService | undefined,
  calls: ModelToolCall[],
  offered: ToolInfo[],
  context: ToolCallContext & { agentId: string; sessionKey: string; signal: AbortSignal },
  push: (event: AgentTurnEvent) => void,
  deps: { events: PluginEvents; log: Logger },
): Promise<ToolResult[]> {
  return Promise.all(
    calls.map(async (call): Promise<ToolResult> => {
      push({ type: "tool.call", id: call.id, name: call.name, arguments: call.arguments });
      const started = performance.now();
      let result: ToolResult;
      if (call.invalidArguments !== undefined) {
        result = { id: call.id, name: call.name, ok: false, content: `error: the arguments were not a JSON object: ${call.invalidArguments.slice(0, 500)}` };
      } else if (!tools || !offered.some((t) => t.name === call.name)) {
        result = { id: call.id, name: call.name, ok: false, content: `error: no tool named "${call.name}" is available to this agent (available: ${offered.map((t) => t.name).join(", ") || "none"})` };
      } else {
        try {
          result = { id: call.id, name: call.name, ok: true, content: asText(await tools.call(call.name, call.arguments, context)) };
        } catch (error) {
          result = { id: call.id, name: call.name, ok: false, content: errorResult(error) };
        }
      }
      const ms = Math.round(performance.now() - started);
      push({ type: "tool.result", id: call.id, name: call.name, ok: result.ok, content: result.content });
      deps.log.info("tool called", { tool: call.name, ok: result.ok, ms, sessionKey: context.sessionKey });
      await deps.events.emit("agent.tool.called", { agentId: context.agentId, sessionKey: context.sessionKey, name: call.name, ok: result.ok, ms });
      return result;
    }),
  );
}
