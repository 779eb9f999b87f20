/* Every plugin the kernel knows, as `aleph plugins list` shows them; failed ones with code, message and fix. */
import { FailureNotice } from "../components/error-notice.js";
import { CallStatus, ViewHead } from "../components/view-head.js";
import { useCall } from "../hooks/use-call.js";
import type { PluginInfo } from "../rpc/types.js";

function statusNote(plugin: PluginInfo): string {
  if (plugin.status === "disabled" && plugin.disabledBy) return ` (${plugin.disabledBy})`;
  if (plugin.status === "overridden" && plugin.overriddenBy) return ` (by ${plugin.overriddenBy.source})`;
  if (plugin.runningInstead) return ` (the ${plugin.runningInstead.source} copy runs instead)`;
  return "";
}

function PluginRows({ plugin }: { plugin: PluginInfo }) {
  const failed = plugin.status === "failed";
  return (
    <>
      <tr class={failed ? "row-failed" : undefined} data-plugin={plugin.id}>
        <th scope="row">{plugin.id}</th>
        <td>{plugin.version}</td>
        <td>{plugin.source}</td>
        <td>{plugin.kind}</td>
        <td>
          <span class={`state state-${plugin.status}`}>{plugin.status}</span>
          {statusNote(plugin)}
        </td>
      </tr>
      {plugin.error && (
        <tr class={failed ? "row-failed detail" : "detail"}>
          <td colSpan={5}>
            <FailureNotice
              title={failed ? `${plugin.id} failed` : `${plugin.id}: last reload failed`}
              code={plugin.error.code}
              message={plugin.error.file ? `${plugin.error.message} (${plugin.error.file}${plugin.error.line ? `:${plugin.error.line}` : ""})` : plugin.error.message}
              fix={plugin.error.fix}
            />
          </td>
        </tr>
      )}
    </>
  );
}

export function PluginsView() {
  const { data, error, loading, reload } = useCall<PluginInfo[]>("plugins.list");
  const failed = data?.filter((p) => p.status === "failed").length ?? 0;
  return (
    <section aria-labelledby="plugins-title">
      <ViewHead id="plugins-title" title="Plugins" onRefresh={reload} busy={loading} />
      <CallStatus call={{ data, error }} />
      {data && (
        <>
          <p class={failed > 0 ? "bad" : "muted"}>
            {data.length} plugins{failed > 0 ? `, ${failed} failed` : ", none failed"}
          </p>
          <div class="table-wrap">
            <table class="plugins">
              <thead>
                <tr>
                  <th scope="col">Plugin</th>
                  <th scope="col">Version</th>
                  <th scope="col">Source</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.map((plugin) => (
                  <PluginRows key={`${plugin.id}@${plugin.source}:${plugin.path}`} plugin={plugin} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
