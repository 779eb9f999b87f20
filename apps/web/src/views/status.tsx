/* The kernel at a glance: version, uptime, pid, root, plugin counts, channels and their liveness. */
import { useEffect, useState } from "preact/hooks";
import { CallStatus, ViewHead } from "../components/view-head.js";
import { formatAgo, formatDuration, formatTime } from "../format.js";
import { useCall } from "../hooks/use-call.js";
import { useNow } from "../hooks/use-now.js";
import type { ChannelStatus, KernelStatus } from "../rpc/types.js";

function ChannelRow({ channel, now }: { channel: ChannelStatus; now: number }) {
  return (
    <tr class={channel.state === "failed" ? "row-failed" : undefined}>
      <th scope="row">{channel.name}</th>
      <td>{channel.plugin}</td>
      <td>
        <span class={`state state-${channel.state}`}>{channel.state}</span>
      </td>
      <td>{formatAgo(channel.lastReceiveAt, now)}</td>
      <td>{formatAgo(channel.lastSendAt, now)}</td>
      <td>{channel.botName ?? ""}</td>
      <td>{channel.error ?? ""}</td>
    </tr>
  );
}

export function StatusView() {
  const { data, error, loading, reload } = useCall<KernelStatus>("status", undefined, { refreshMs: 5000 });
  const now = useNow();
  // Uptime counts on between refreshes from when the answer arrived.
  const [receivedAt, setReceivedAt] = useState(Date.now());
  useEffect(() => setReceivedAt(Date.now()), [data]);
  const channels = Array.isArray(data?.channels) ? data.channels : [];

  return (
    <section aria-labelledby="status-title">
      <ViewHead id="status-title" title="Kernel" onRefresh={reload} busy={loading} />
      <CallStatus call={{ data, error }} />
      {data && (
        <>
          <dl class="facts">
            <dt>Version</dt>
            <dd>{data.version}</dd>
            <dt>Uptime</dt>
            <dd>
              {formatDuration(data.uptimeMs + (now - receivedAt))} <span class="muted">(since {formatTime(data.startedAt)})</span>
            </dd>
            <dt>PID</dt>
            <dd>{data.pid}</dd>
            <dt>Root</dt>
            <dd>
              <code>{data.root}</code>
            </dd>
            <dt>Plugins</dt>
            <dd>
              {data.plugins.active} active, <span class={data.plugins.failed > 0 ? "bad" : undefined}>{data.plugins.failed} failed</span>, {data.plugins.disabled} disabled,{" "}
              {data.plugins.overridden} overridden ({data.plugins.total} in all)
            </dd>
            <dt>Gateway connections</dt>
            <dd>{data.connections}</dd>
          </dl>
          <h3>Channels</h3>
          {channels.length === 0 ? (
            <p class="muted">No channel is running (configure one under [interfaces.&lt;name&gt;]).</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Plugin</th>
                    <th scope="col">State</th>
                    <th scope="col">Last receive</th>
                    <th scope="col">Last send</th>
                    <th scope="col">Bot</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {channels.map((channel) => (
                    <ChannelRow key={channel.name} channel={channel} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
