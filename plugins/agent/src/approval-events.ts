import { toDisposable, type AgentTurnEvent, type Disposable, type PluginEvents } from "@aleph/plugin-sdk";

/*
 * A tool of this turn asking a person (the `approvals` service's events) shows up in the turn's
 * own stream, so whoever follows the turn — `aleph talk` — can ask inline and answer. A session
 * runs one turn at a time (SessionQueue), so the session key names the turn.
 */
export function forwardApprovals(events: PluginEvents, sessionKey: string, push: (event: AgentTurnEvent) => void): Disposable {
  const requested = events.on("agent.approval.requested", (approval) => {
    if (approval.sessionKey === sessionKey) push({ type: "approval.requested", approval });
  });
  const resolved = events.on("agent.approval.resolved", (r) => {
    if (r.sessionKey === sessionKey) push({ type: "approval.resolved", id: r.id, approved: r.approved, by: r.by, ...(r.reason !== undefined ? { reason: r.reason } : {}) });
  });
  return toDisposable(() => {
    requested.dispose();
    resolved.dispose();
  });
}
