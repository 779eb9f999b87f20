import { ownerRow, resolvePaths } from "@aleph/kernel";
import type { PluginInfo } from "@aleph/plugin-sdk";
import { UsageError, type Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { askRunningKernel } from "../kernel-handle/ask.js";
import { listPluginsOffline } from "../offline-plugins.js";
import { pluginDetail } from "../plugin-detail.js";
import { json, statusMark, table, useColor } from "../output.js";

/** The plugin list from the running kernel, or from discovery alone; `running` says which. */
async function pluginList(env: NodeJS.ProcessEnv, cwd: string): Promise<{ live: boolean; list: (PluginInfo & { running: boolean })[] }> {
  const paths = resolvePaths({ env, cwd });
  const live = (await askRunningKernel(paths, "plugins.list")) as PluginInfo[] | undefined;
  if (live) return { live: true, list: live.map((p) => ({ ...p, running: p.status === "active" })) };
  return { live: false, list: listPluginsOffline(paths, bundledPlugins(), env).map((p) => ({ ...p, running: false })) };
}

export const pluginsListCommand: Command = {
  name: "plugins list",
  summary: "List every discovered plugin with its source and status",
  details: [
    "Fields (--json): id, version, kind, source (user|system|project|bundled), path,",
    "status (active|failed|disabled|overridden|inactive), error?, overriddenBy?, runningInstead?, disabledBy?,",
    "generation?, timings? ({importMs, setupMs} of the running generation), running.",
    "A copy that failed before setup (manifest, api, entry) while a weaker copy of its id runs is listed",
    "failed, with runningInstead naming the copy that runs.",
    "Without a running kernel the list is the kernel's static assessment (the verdicts `config check` and",
    "`doctor` print): no plugin code runs, `active` means it would load, and `running` is false.",
  ].join("\n"),
  options: { json: { type: "boolean", description: "Print JSON" } },
  async run({ options, env, cwd, out }) {
    const { live, list } = await pluginList(env, cwd);
    if (options.json) {
      out(json(list));
      return 0;
    }
    if (list.length === 0) {
      out("No plugins found. Put one in ~/.config/aleph/plugins/<id>/ (see docs/plugins.md).\n");
      return 0;
    }
    const color = useColor(process.stdout, env);
    out(
      table([
        ["ID", "VERSION", "KIND", "SOURCE", "STATUS", "DETAIL"],
        ...list.map((p) => [
          p.id,
          p.version,
          p.kind,
          p.source,
          statusMark(color, p.status),
          pluginDetail(p),
        ]),
      ]),
    );
    if (!live) out("(no kernel running: statuses come from discovery and validation)\n");
    return 0;
  },
};

export const pluginsInspectCommand: Command = {
  name: "plugins inspect",
  args: "<id>",
  summary: "Show one plugin: manifest facts, status, error and fix, bound services",
  options: { json: { type: "boolean", description: "Print JSON" } },
  async run({ args, options, env, cwd, out }) {
    const id = args[0];
    if (!id || args.length > 1) throw new UsageError("expected one plugin id");
    const paths = resolvePaths({ env, cwd });
    let info = (await askRunningKernel(paths, "plugins.inspect", { id })) as (PluginInfo & Record<string, unknown>) | undefined;
    if (!info) {
      info = ownerRow(listPluginsOffline(paths, bundledPlugins(), env), id) as typeof info;
      if (!info) throw new Error(`no plugin with id "${id}" (run \`aleph plugins list\`)`);
    }
    if (options.json) {
      out(json(info));
      return 0;
    }
    const rows: string[][] = [
      ["id", info.id],
      ["version", info.version],
      ["kind", info.kind],
      ["source", info.source],
      ["path", info.path],
      ["status", info.status + (info.generation ? ` (generation ${info.generation})` : "")],
      ["priority", String(info.priority)],
      ["provides", info.provides.join(", ") || "-"],
      ["requires", info.requires.join(", ") || "-"],
      ["optional", info.optional.join(", ") || "-"],
    ];
    if (info.error) {
      rows.push(["error", `${info.error.code}: ${info.error.message}`]);
      if (info.error.file) rows.push(["file", `${info.error.file}${info.error.line ? `:${info.error.line}` : ""}`]);
      if (info.error.fix) rows.push(["fix", info.error.fix]);
    }
    if (info.servicesBound) rows.push(["bound", Object.entries(info.servicesBound as Record<string, string | null>).map(([s, p]) => `${s} → ${p ?? "none"}`).join(", ") || "-"]);
    out(table(rows));
    return 0;
  },
};
