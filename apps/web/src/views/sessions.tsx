/* Sessions, filtered by agent; a session's key opens its messages (views/session.tsx). */
import { CallStatus, ViewHead } from "../components/view-head.js";
import { formatTime } from "../format.js";
import { useCall } from "../hooks/use-call.js";
import { routeHref } from "../hooks/use-route.js";
import type { AgentInfo, SessionInfo } from "../rpc/types.js";

export function SessionsView({ agent }: { agent?: string }) {
  const agents = useCall<AgentInfo[]>("agents.list");
  const sessions = useCall<SessionInfo[]>("sessions.list", agent ? { agentId: agent, limit: 500 } : { limit: 500 });
  const data = sessions.data;

  return (
    <section aria-labelledby="sessions-title">
      <ViewHead id="sessions-title" title="Sessions" onRefresh={sessions.reload} busy={sessions.loading}>
        <label class="inline">
          Agent{" "}
          <select
            value={agent ?? ""}
            onChange={(e) => {
              location.hash = routeHref("sessions", undefined, { agent: (e.target as HTMLSelectElement).value });
            }}
          >
            <option value="">all agents</option>
            {(agents.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.id}
              </option>
            ))}
            {agent && !(agents.data ?? []).some((a) => a.id === agent) && <option value={agent}>{agent}</option>}
          </select>
        </label>
      </ViewHead>
      <CallStatus call={sessions} />
      {data && data.length === 0 && <p class="muted">No sessions{agent ? ` for agent ${agent}` : ""} yet.</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Agent</th>
                <th scope="col">Channel</th>
                <th scope="col">Messages</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.map((session) => (
                <tr key={session.id}>
                  <th scope="row">
                    <a href={routeHref("sessions", session.key)}>{session.key}</a>
                    {session.archivedAt !== null && <span class="muted"> (archived)</span>}
                  </th>
                  <td>{session.agentId}</td>
                  <td>{session.channel ?? "—"}</td>
                  <td>{session.messageCount}</td>
                  <td>{formatTime(session.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
