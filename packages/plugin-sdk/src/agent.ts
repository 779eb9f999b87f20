import type { PendingApproval } from "./approvals.js";
import type { Disposable } from "./disposable.js";
import type { ModelUsage } from "./providers.js";
import { createServiceRef } from "./service-ref.js";

/*
 * The agent loop (bundled plugin `agent`, service `agent`): a message goes in, the agent answers
 * — context, model, tools, reply, all kept in the session. Other plugins extend a turn without
 * editing the loop: context contributors add text to the prompt (memory's recall, a skills index),
 * and before-compaction hooks run before old history is summarised (memory flushes there).
 */

/** One message for an agent to answer. */
export interface AgentTurnInput {
  text: string;
  /** Default `main`. */
  agentId?: string;
  /** Default `agent:<agentId>:main`. */
  sessionKey?: string;
  /** Idempotency id of the user message: sending the same id twice answers once. */
  id?: string;
  /** Use this provider alone (default: `[agent] providers`, then every enabled provider in providers.toml order). */
  provider?: string;
  /** Override the provider's model for this turn. */
  model?: string;
  /**
   * Someone reads this turn's events and answers its approval requests (`approval.requested`)
   * through the `approvals` service — `aleph talk` on a terminal. Otherwise every request is denied.
   */
  interactive?: boolean;
}

/** What a turn reports as it goes; the last event is `turn.completed` or `turn.failed`. */
export type AgentTurnEvent =
  | { type: "turn.started"; turnId: string; agentId: string; sessionKey: string }
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool.call"; id: string; name: string; arguments: unknown }
  | { type: "tool.result"; id: string; name: string; ok: boolean; content: string }
  | { type: "failover"; from: string; to: string; reason: string }
  /** A tool waits for a yes: answer it with the `approvals` service (`answer(id, …)`) before `expiresAt`. */
  | { type: "approval.requested"; approval: PendingApproval }
  | { type: "approval.resolved"; id: string; approved: boolean; by: string; reason?: string }
  | { type: "turn.completed"; turnId: string; text: string; usage: ModelUsage; ms: number; iterations: number; provider: string; model: string }
  | { type: "turn.failed"; turnId: string; code: string; message: string; fix?: string };

/**
 * Where a contributed block goes. `stable`: into the system prompt, which must stay byte-identical
 * across turns for provider prompt caches to hit — so only what changes rarely (a skills index).
 * `turn`: attached to the current user message (recalled memory), so the cached prefix survives.
 */
export type ContextPlacement = "stable" | "turn";

export interface ContextBlock {
  text: string;
  placement: ContextPlacement;
}

export interface ContextRequest {
  agentId: string;
  sessionKey: string;
  /** The user's message this turn answers. */
  message: string;
  signal?: AbortSignal;
}

/** A plugin's addition to every turn's context. */
export interface ContextContributor {
  /** Shown in the context log (`agents/<id>/context/<sessionId>.jsonl`). */
  name: string;
  /** The most characters its blocks may take together; longer text is cut with a marker. */
  maxChars: number;
  contribute(request: ContextRequest): ContextBlock[] | Promise<ContextBlock[]>;
}

/** Runs, awaited, before a session's older history is summarised away. */
export type BeforeCompactionHook = (event: { agentId: string; sessionKey: string; upToSeq: number; signal?: AbortSignal }) => void | Promise<void>;

export interface AgentService {
  /** Answers one message, streaming what happens. Cancel by stopping to read (or with the signal, in-process). */
  turn(input: AgentTurnInput, options?: { signal?: AbortSignal }): AsyncIterable<AgentTurnEvent>;
  /** Adds a context contributor; disposing (or the plugin unloading) removes it. */
  addContextContributor(contributor: ContextContributor): Disposable;
  onBeforeCompaction(hook: BeforeCompactionHook): Disposable;
}

export const agentRef = createServiceRef<AgentService>("agent");

/** `[agent] max_iterations` when unset: model calls in one turn before a final answer without tools. */
export const DEFAULT_MAX_ITERATIONS = 25;
