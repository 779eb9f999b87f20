import type { ToolInfo } from "@aleph/plugin-sdk";
import { resolvePaths } from "@aleph/kernel";
import { UsageError, type Command } from "../command.js";
import { askRunningKernel } from "../kernel-handle/ask.js";
import { runningKernel } from "../kernel-handle/running-kernel.js";
import { withOneShotKernel } from "../one-shot-kernel.js";
import { json, table } from "../output.js";
import { toolsOf } from "../tools-service.js";

export const toolsListCommand: Command = {
  name: "tools list",
  summary: "List the tools plugins have registered (name, plugin, description)",
  details: "Asks the running kernel; without one, starts the plugins in this process to list them.",
  options: { json: { type: "boolean", description: "Print JSON: [{name, description, parameters, plugin}]" } },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const tools = runningKernel(paths)
      ? ((await askRunningKernel(paths, "tools.list")) as ToolInfo[])
      : await withOneShotKernel(paths, env, cwd, async (kernel) => toolsOf(kernel).list());
    if (options.json) out(json(tools));
    else if (tools.length === 0) out("No tools registered.\n");
    else out(table([["NAME", "PLUGIN", "DESCRIPTION"], ...tools.map((t) => [t.name, t.plugin, t.description])]));
    return 0;
  },
};

export const toolsCallCommand: Command = {
  name: "tools call",
  args: "<name> [<json-args>]",
  summary: "Call a tool with JSON arguments and print its JSON result",
  details: [
    "Arguments are one JSON object, validated against the tool's schema: aleph tools call word_count '{\"text\":\"a b\"}'.",
    "Asks the running kernel; without one, starts the plugins in this process, calls, and stops them.",
  ].join("\n"),
  async run({ args, env, cwd, out }) {
    const [name, rawArgs = "{}", ...extra] = args;
    if (!name || extra.length > 0) throw new UsageError("expected a tool name and at most one JSON argument");
    let toolArgs: unknown;
    try {
      toolArgs = JSON.parse(rawArgs);
    } catch (error) {
      throw new UsageError(`the arguments are not JSON (${(error as Error).message}); quote them: '{"text":"hello"}'`);
    }
    const paths = resolvePaths({ env, cwd });
    const result = runningKernel(paths)
      ? await askRunningKernel(paths, "tools.call", { name, args: toolArgs })
      : await withOneShotKernel(paths, env, cwd, (kernel) => toolsOf(kernel).call(name, toolArgs));
    out(json(result ?? null));
    return 0;
  },
};
