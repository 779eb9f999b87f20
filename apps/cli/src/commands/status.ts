import { resolvePaths, type KernelStatus } from "@aleph/kernel";
import type { PluginInfo } from "@aleph/plugin-sdk";
import type { Command } from "../command.js";
import { askRunningKernel } from "../kernel-handle/ask.js";
import { json, statusMark, table, useColor } from "../output.js";
import { pluginDetail } from "../plugin-detail.js";

export const statusCommand: Command = {
  name: "status",
  summary: "Show the running kernel's plugins (with import and setup time) and services",
  details: "Exits 1 when no kernel runs on the state root (with --json: {\"running\": false, \"root\": …}).",
  options: { json: { type: "boolean", description: "Print JSON" } },
  async run({ options, env, cwd, out, err }) {
    const paths = resolvePaths({ env, cwd });
    const status = (await askRunningKernel(paths, "status")) as KernelStatus | undefined;
    if (!status) {
      if (options.json) out(json({ running: false, root: paths.root }));
      else err(`aleph status: no kernel is running on ${paths.root} (start one with \`aleph start\`)\n`);
      return 1;
    }
    if (options.json) {
      out(json({ running: true, ...status }));
      return 0;
    }
    const color = useColor(process.stdout, env);
    out(`Aleph kernel pid ${status.pid} · root ${status.root} · up ${Math.round(status.uptimeMs / 1000)}s\n`);
    const sup = status.supervisor;
    if (sup) {
      const last = sup.last ? ` (last: ${sup.last.detail} at ${sup.last.at})` : "";
      out(`Supervised: ${sup.restarts === 0 ? "no restarts" : sup.restarts === 1 ? "restarted once" : `restarted ${sup.restarts} times`}${last}\n`);
    }
    out("\nPlugins\n");
    if (status.plugins.length === 0) out("  (none)\n");
    else out(table(status.plugins.map((p) => ["  " + p.id, p.version, p.source, statusMark(color, p.status), p.generation ? `gen ${p.generation}` : "", timingsOf(p), p.error ? pluginDetail(p) : ""])));
    out("\nServices\n");
    out(status.services.length === 0 ? "  (none)\n" : table(status.services.map((s) => ["  " + s.id, `→ ${s.boundTo}`, s.providers.length > 1 ? `(${s.providers.length} providers)` : ""])));
    return 0;
  },
};

/** How long a running plugin took to load: importing its code, then its setup. */
function timingsOf(p: PluginInfo): string {
  return p.timings ? `import ${p.timings.importMs} ms, setup ${p.timings.setupMs} ms` : "";
}
