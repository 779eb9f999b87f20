/* The agents (from the workspace plugin), each with a way to its sessions and to the chat panel. */
import { CallStatus, ViewHead } from "../components/view-head.js";
import { useCall } from "../hooks/use-call.js";
import { routeHref } from "../hooks/use-route.js";
import type { AgentInfo } from "../rpc/types.js";

export function AgentsView() {
  const { data, error, loading, reload } = useCall<AgentInfo[]>("agents.list");
  return (
    <section aria-labelledby="agents-title">
      <ViewHead id="agents-title" title="Agents" onRefresh={reload} busy={loading} />
      <CallStatus call={{ data, error }} />
      {data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Name</th>
                <th scope="col">Default</th>
                <th scope="col">
                  <span class="sr-only">Links</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((agent) => (
                <tr key={agent.id}>
                  <th scope="row">{agent.id}</th>
                  <td>{agent.name ?? ""}</td>
                  <td>{agent.default ? "yes" : ""}</td>
                  <td class="links">
                    <a href={routeHref("sessions", undefined, { agent: agent.id })}>sessions</a> <a href={routeHref("chat", undefined, { agent: agent.id })}>chat</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
