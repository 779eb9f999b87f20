import { randomBytes } from "node:crypto";
import {
  AlephError,
  type ApprovalAnswer,
  type ApprovalDecision,
  type ApprovalRequest,
  type ApprovalsService,
  type Logger,
  type PendingApproval,
  type PluginEvents,
  type ToolCallContext,
} from "@aleph/plugin-sdk";

/*
 * The `approvals` service: requests waiting for a person's answer. A request lives only in memory
 * — a kernel that stops denies what waits (the turn asking stops too) — and ends exactly once:
 * answered, timed out, cancelled with its turn, or denied because nobody can be asked.
 */

export interface ApprovalsDeps {
  events: PluginEvents;
  log: Logger;
  /** Seconds a request waits, read per request ([tools] approval_timeout). */
  timeoutSeconds(): number;
}

interface Waiting {
  approval: PendingApproval;
  settle(decision: ApprovalDecision): void;
}

export interface Approvals extends ApprovalsService {
  /** Denies everything still waiting (the plugin unloads). */
  denyAll(reason: string): void;
}

/** Eight hex characters: short enough to type in `aleph approvals approve <id>`, unguessable enough for a local prompt. */
const newId = () => randomBytes(4).toString("hex");

export function createApprovals(deps: ApprovalsDeps): Approvals {
  const waiting = new Map<string, Waiting>();

  const resolved = (approval: PendingApproval, decision: ApprovalDecision) => {
    const { id, tool, agentId, sessionKey } = approval;
    void deps.events.emit("agent.approval.resolved", {
      id,
      tool,
      agentId,
      sessionKey,
      approved: decision.approved,
      always: decision.approved && decision.always,
      by: decision.by,
      ...(decision.approved ? {} : { reason: decision.reason }),
    });
    deps.log.info("approval resolved", { id, tool, agentId, sessionKey, approved: decision.approved, by: decision.by });
  };

  return {
    request(request: ApprovalRequest, context: ToolCallContext): Promise<ApprovalDecision> {
      const agentId = context.agentId ?? "main";
      const sessionKey = context.sessionKey ?? `agent:${agentId}:main`;
      if (context.interactive !== true) {
        return Promise.resolve({
          approved: false,
          by: "nobody",
          reason: `${request.tool} needs a person's approval and nobody can answer in this conversation (no interactive channel: only \`aleph talk\` on a terminal asks)`,
        });
      }
      if (context.signal?.aborted) return Promise.resolve({ approved: false, by: "nobody", reason: "the turn was cancelled before it was approved" });

      const seconds = deps.timeoutSeconds();
      const now = Date.now();
      let id = newId();
      while (waiting.has(id)) id = newId();
      const approval: PendingApproval = {
        id,
        agentId,
        sessionKey,
        tool: request.tool,
        args: request.args,
        summary: request.summary,
        ...(request.always !== undefined ? { always: request.always } : {}),
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + seconds * 1000).toISOString(),
      };

      return new Promise<ApprovalDecision>((resolve) => {
        const onAbort = () => settle({ approved: false, by: "nobody", reason: "the turn was cancelled while it waited for an approval" });
        // Not unref'd: a turn awaits this promise, and the timer is what ends it when nobody answers.
        const timer = setTimeout(() => settle({ approved: false, by: "timeout", reason: `nobody answered within ${seconds} s ([tools] approval_timeout), so it was denied` }), seconds * 1000);
        function settle(decision: ApprovalDecision): void {
          if (waiting.get(id)?.settle !== settle) return; // already answered
          waiting.delete(id);
          clearTimeout(timer);
          context.signal?.removeEventListener("abort", onAbort);
          resolved(approval, decision);
          resolve(decision);
        }
        waiting.set(id, { approval, settle });
        context.signal?.addEventListener("abort", onAbort, { once: true });
        deps.log.info("approval requested", { id, tool: request.tool, agentId, sessionKey, timeoutSeconds: seconds });
        void deps.events.emit("agent.approval.requested", approval);
      });
    },

    list(): PendingApproval[] {
      return [...waiting.values()].map((w) => w.approval).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
    },

    answer(id: string, answer: ApprovalAnswer, by = "cli"): PendingApproval {
      const entry = waiting.get(id);
      if (!entry) {
        throw new AlephError("ALEPH_E_NOT_FOUND", `no approval request "${id}" is waiting (answered, timed out, or never made)`, { fix: "run `aleph approvals list` to see the requests waiting" });
      }
      if (answer === "always" && entry.approval.always === undefined) {
        throw new AlephError("ALEPH_E_USAGE", `approval request "${id}" (${entry.approval.tool}) cannot be approved always: it has nothing to remember`, { fix: `approve it once: aleph approvals approve ${id}` });
      }
      entry.settle(answer === "deny" ? { approved: false, by, reason: `a person denied it (answered through ${by})` } : { approved: true, always: answer === "always", by });
      return entry.approval;
    },

    denyAll(reason: string): void {
      for (const entry of [...waiting.values()]) entry.settle({ approved: false, by: "nobody", reason });
    },
  };
}
