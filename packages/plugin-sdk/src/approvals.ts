import { createServiceRef } from "./service-ref.js";
import type { ToolCallContext } from "./tools.js";

/*
 * Approvals (service `approvals`, provided by the bundled `tools` plugin): a tool that must not act
 * without a person's yes — `shell` — asks here before it runs. A request is announced as the event
 * `agent.approval.requested`, shows up in the asking turn's stream (so `aleph talk` asks inline) and
 * in `aleph approvals list`, and is answered there or by `aleph approvals approve|deny <id>`. It is
 * denied at once when the turn has no one to ask (context.interactive is not true: a piped
 * `aleph talk`, a schedule, a channel without approvals), and when nobody answers in time.
 */

/** What a person answers: yes once, no, or yes and remember (the tool decides what it remembers). */
export type ApprovalAnswer = "approve" | "deny" | "always";

/** What the asking tool learns. `reason` says why, for the model, when it is denied. */
export type ApprovalDecision = { approved: true; always: boolean; by: string } | { approved: false; reason: string; by: string };

export interface ApprovalRequest {
  /** The tool asking, e.g. "shell". */
  tool: string;
  /** The call's arguments, as shown to the person (the command, its folder). */
  args: Record<string, unknown>;
  /** One line saying what will happen if approved, e.g. "run `ls -la` in /home/me/ws". */
  summary: string;
  /** What `always` would remember, shown next to the choice (absent: `always` is not offered). */
  always?: string;
}

/** A request waiting for an answer, as listed. */
export interface PendingApproval extends ApprovalRequest {
  id: string;
  agentId: string;
  sessionKey: string;
  /** ISO times. */
  requestedAt: string;
  expiresAt: string;
}

export interface ApprovalsService {
  /**
   * Asks for a yes and waits for it (never throws for a no: the decision says why). Denied at once
   * when `context.interactive` is not true; denied when it times out or the signal aborts.
   */
  request(request: ApprovalRequest, context: ToolCallContext): Promise<ApprovalDecision>;
  /** The requests waiting, oldest first. */
  list(): PendingApproval[];
  /** Answers a waiting request; `by` names who answered (shown in the audit log). ALEPH_E_NOT_FOUND when none waits under `id`. */
  answer(id: string, answer: ApprovalAnswer, by?: string): PendingApproval;
}

export const approvalsRef = createServiceRef<ApprovalsService>("approvals");

/** `[tools] approval_timeout` when unset: seconds a request waits before it is denied. */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 120;
