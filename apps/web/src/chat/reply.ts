/*
 * One streamed reply, assembled from the `chat.event` notifications of one chat.send. Events are
 * applied strictly in `seq` order (1, 2, 3…): one that arrives early waits in `early` until the
 * gap before it is filled, and a seq already applied is ignored, so a repeated or reordered
 * notification can neither duplicate nor scramble the text. The chat.send result, when it comes,
 * is the final word (a replayed key may stream nothing but its result).
 *
 * Pure functions over plain values: the chat panel keeps the state, these compute the next one.
 */
import type { AgentTurnEvent, ChatSendResult, ModelUsage } from "../rpc/types.js";

export type ReplyPart =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | { kind: "tool"; id: string; name: string; arguments: unknown; result?: { ok: boolean; content: string } }
  | { kind: "approval"; id: string; tool: string; summary: string; resolved?: { approved: boolean; by: string; reason?: string } }
  | { kind: "failover"; from: string; to: string; reason: string };

export type ReplyStatus = "running" | "ok" | "failed" | "stopped";

export interface ReplyState {
  /** The next seq to apply. */
  nextSeq: number;
  /** Events that came before their turn, by seq. */
  early: Record<number, AgentTurnEvent>;
  parts: ReplyPart[];
  status: ReplyStatus;
  turnId?: string;
  /** When the turn completed: who answered and what it cost. */
  done?: { provider?: string; model?: string; ms?: number; usage?: ModelUsage; replayed?: boolean };
  /** Why it did not end well; no code when the call itself failed (the connection closed). */
  failure?: { code?: string; message: string; fix?: string };
}

/** The code of a turn stopped by chat.abort (or the connection going away). */
export const CANCELLED = "ALEPH_E_CANCELLED";

export function emptyReply(): ReplyState {
  return { nextSeq: 1, early: {}, parts: [], status: "running" };
}

/** The reply's text so far: its text parts joined. */
export function replyText(state: ReplyState): string {
  return state.parts.map((part) => (part.kind === "text" ? part.text : "")).join("");
}

function appendText(parts: ReplyPart[], kind: "text" | "thinking", text: string): ReplyPart[] {
  const last = parts[parts.length - 1];
  if (last && last.kind === kind) return [...parts.slice(0, -1), { kind, text: last.text + text }];
  return [...parts, { kind, text }];
}

function failed(state: ReplyState, failure: { code?: string; message: string; fix?: string }): ReplyState {
  return { ...state, status: failure.code === CANCELLED ? "stopped" : "failed", failure };
}

/** Applies one event (already in order) to the state. */
function applyInOrder(state: ReplyState, event: AgentTurnEvent): ReplyState {
  switch (event.type) {
    case "turn.started":
      return { ...state, turnId: event.turnId };
    case "text":
    case "thinking":
      return { ...state, parts: appendText(state.parts, event.type, event.text) };
    case "tool.call":
      return { ...state, parts: [...state.parts, { kind: "tool", id: event.id, name: event.name, arguments: event.arguments }] };
    case "tool.result":
      return {
        ...state,
        parts: state.parts.map((part) => (part.kind === "tool" && part.id === event.id && !part.result ? { ...part, result: { ok: event.ok, content: event.content } } : part)),
      };
    case "approval.requested":
      return { ...state, parts: [...state.parts, { kind: "approval", id: event.approval.id, tool: event.approval.tool, summary: event.approval.summary }] };
    case "approval.resolved":
      return {
        ...state,
        parts: state.parts.map((part) =>
          part.kind === "approval" && part.id === event.id ? { ...part, resolved: { approved: event.approved, by: event.by, reason: event.reason } } : part,
        ),
      };
    case "failover":
      return { ...state, parts: [...state.parts, { kind: "failover", from: event.from, to: event.to, reason: event.reason }] };
    case "turn.completed": {
      const parts = settleText(state.parts, event.text);
      return { ...state, parts, status: "ok", turnId: event.turnId, done: { provider: event.provider, model: event.model, ms: event.ms, usage: event.usage } };
    }
    case "turn.failed":
      return failed({ ...state, turnId: event.turnId }, { code: event.code, message: event.message, fix: event.fix });
    default:
      return state; // an event type this page does not know yet: skipped, the turn goes on
  }
}

/**
 * The parts once the turn's final text is known. The streamed pieces stand when they end with it
 * (text the model wrote before a tool call comes first); otherwise pieces were missed — a replayed
 * key streams only the end — and the turn's own text replaces what was assembled.
 */
function settleText(parts: ReplyPart[], finalText: string): ReplyPart[] {
  const assembled = parts.map((part) => (part.kind === "text" ? part.text : "")).join("");
  if (finalText === "" || assembled.endsWith(finalText)) return parts;
  return [...parts.filter((part) => part.kind !== "text"), { kind: "text", text: finalText }];
}

/** Takes the `event` of the notification numbered `seq`; applies it and any early ones it unblocks. */
export function applyChatEvent(state: ReplyState, seq: number, event: AgentTurnEvent): ReplyState {
  if (!Number.isInteger(seq) || seq < state.nextSeq || seq in state.early) return state;
  if (seq > state.nextSeq) return { ...state, early: { ...state.early, [seq]: event } };
  let next = applyInOrder(state, event);
  let expected = seq + 1;
  const early = { ...state.early };
  while (early[expected] !== undefined) {
    next = applyInOrder(next, early[expected]!);
    delete early[expected];
    expected += 1;
  }
  return { ...next, nextSeq: expected, early };
}

/** Takes chat.send's answer: the turn is over whatever events are still missing. */
export function applyResult(state: ReplyState, result: ChatSendResult): ReplyState {
  if (!result.ok) return failed({ ...state, turnId: result.turnId ?? state.turnId }, { code: result.code, message: result.message, fix: result.fix });
  const parts = settleText(state.parts, result.text);
  return {
    ...state,
    parts,
    status: "ok",
    turnId: result.turnId ?? state.turnId,
    // The result may leave out what turn.completed said (usage): keep what is known.
    done: {
      provider: result.provider ?? state.done?.provider,
      model: result.model ?? state.done?.model,
      ms: result.ms ?? state.done?.ms,
      usage: result.usage ?? state.done?.usage,
      replayed: result.replayed,
    },
  };
}

/** The turn could not be carried to its end (the connection closed, the call was refused). */
export function applyCallError(state: ReplyState, error: { code?: string; message: string; fix?: string }): ReplyState {
  if (state.status !== "running") return state;
  return failed(state, { code: error.code, message: error.message, fix: error.fix });
}
