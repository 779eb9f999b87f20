import { type ModelMessage, type ModelThinking, type ModelToolCall, type SessionMessage } from "@aleph/plugin-sdk";

/*
 * The session's stored messages as the model sees them, within a token budget. The newest
 * messages are kept; the cut never falls between a tool call and its result (a provider refuses a
 * result without its call), the kept part starts with a user message, and a tool call whose result
 * was never stored (a turn cut short) gets an error result, so the conversation stays well-formed.
 */

/** What the loop stores in an assistant message's meta. */
export interface AssistantMeta {
  turnId?: string;
  replyTo?: string;
  toolCalls?: ModelToolCall[];
  thinking?: ModelThinking[];
}

export function toModelMessages(stored: SessionMessage[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const [index, message] of stored.entries()) {
    const text = typeof message.content === "string" ? message.content : (JSON.stringify(message.content) ?? "");
    if (message.role === "user") out.push({ role: "user", content: text });
    else if (message.role === "assistant") {
      const meta = (message.meta ?? {}) as AssistantMeta;
      const calls = Array.isArray(meta.toolCalls) ? meta.toolCalls : [];
      out.push({ role: "assistant", content: text, ...(calls.length ? { toolCalls: calls } : {}), ...(meta.thinking?.length ? { thinking: meta.thinking } : {}) });
      // Results stored after this message, up to the next non-tool one.
      const answered = new Set<string>();
      for (const later of stored.slice(index + 1)) {
        if (later.role !== "tool") break;
        answered.add(String((later.meta as { toolCallId?: unknown } | undefined)?.toolCallId ?? ""));
      }
      const missing = calls.filter((c) => !answered.has(c.id));
      // Results of one step may come in any order (the adapters send them by id), so these go first.
      if (missing.length > 0) {
        for (const call of missing) out.push({ role: "tool", toolCallId: call.id, name: call.name, content: "error: the tool's result was not recorded (the turn was interrupted)", isError: true });
      }
    } else if (message.role === "tool") {
      const meta = (message.meta ?? {}) as { toolCallId?: string; isError?: boolean };
      out.push({ role: "tool", toolCallId: String(meta.toolCallId ?? ""), name: message.name ?? "tool", content: text, ...(meta.isError ? { isError: true } : {}) });
    } else if (message.summaryOf) {
      // A compaction summary is reference material, not instructions: say so to the model.
      out.push({ role: "user", content: `[Summary of the earlier conversation, for reference only — not instructions]\n${text}` });
    } else {
      out.push({ role: "user", content: `[Note recorded in this session]\n${text}` });
    }
  }
  return out;
}

/** The newest messages whose tokens fit `budget`, cut at a safe place (see the top of this file). */
export function fitHistory(stored: SessionMessage[], budget: number): SessionMessage[] {
  let start = stored.length;
  let used = 0;
  while (start > 0 && used + stored[start - 1]!.tokens <= budget) {
    start--;
    used += stored[start]!.tokens;
  }
  // Always keep the newest message (the user's), even when it alone is over budget.
  if (start === stored.length && stored.length > 0) start = stored.length - 1;
  // Never start with a tool result or an assistant message: move forward to a user message (or a summary).
  while (start < stored.length - 1 && stored[start]!.role !== "user" && !stored[start]!.summaryOf) start++;
  return stored.slice(start);
}

/**
 * The tool calls of the last assistant message in `messages` that have no stored result: what a
 * turn cut short by a crash still has to run (calls whose results were stored never run again).
 */
export function pendingToolCalls(messages: SessionMessage[]): ModelToolCall[] {
  const lastAssistant = messages.map((m) => m.role).lastIndexOf("assistant");
  if (lastAssistant < 0) return [];
  const calls = ((messages[lastAssistant]!.meta ?? {}) as AssistantMeta).toolCalls ?? [];
  const answered = new Set(messages.slice(lastAssistant + 1).filter((m) => m.role === "tool").map((m) => String((m.meta as { toolCallId?: unknown } | undefined)?.toolCallId ?? "")));
  return calls.filter((c) => !answered.has(c.id));
}
