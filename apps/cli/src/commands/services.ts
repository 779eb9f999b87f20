import { resolvePaths } from "@aleph/kernel";
import { UsageError, type Command } from "../command.js";
import { withKernelHandle } from "../kernel-handle/open.js";
import { json, table } from "../output.js";

function parseJson(text: string, what: string, example: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not JSON (${(error as Error).message}); quote it: ${example}`);
  }
}

export const servicesListCommand: Command = {
  name: "services list",
  summary: "List the services plugins provide, who provides each and which is bound",
  details: "Asks the running kernel; without one, starts every plugin that is not a daemon in this process to list them.",
  options: { json: { type: "boolean", description: "Print JSON: [{id, boundTo, providers: [{plugin, priority, source}]}]" } },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const status = await withKernelHandle({ paths, env, cwd, scope: { allButDaemons: true } }, (kernel) => kernel.status());
    if (options.json) out(json(status.services));
    else if (status.services.length === 0) out("No services are provided.\n");
    else {
      const rows = status.services.map((s) => [s.id, s.boundTo, s.providers.map((p) => `${p.plugin} (${p.source}, priority ${p.priority})`).join(", ")]);
      out(table([["SERVICE", "BOUND TO", "PROVIDERS"], ...rows]));
    }
    return 0;
  },
};

export const servicesCallCommand: Command = {
  name: "services call",
  args: "<service> <method> [<json-args>]",
  summary: "Call a service method with a JSON array of arguments and print the JSON result",
  details: [
    "The arguments are one JSON array (a single non-array value is taken as the only argument):",
    "  aleph services call sessions list '[{\"limit\": 5}]'",
    "  aleph services call greeter greet '\"Ada\"'",
    "Calls the running kernel; without one, starts the service's provider (and what it requires) in this process.",
  ].join("\n"),
  async run({ args, env, cwd, out }) {
    const [service, method, rawArgs, ...extra] = args;
    if (!service || !method || extra.length > 0) throw new UsageError("expected a service, a method and at most one JSON argument list");
    const parsed = rawArgs === undefined ? [] : parseJson(rawArgs, "the arguments", `'["a", 1]'`);
    const callArgs = Array.isArray(parsed) ? parsed : [parsed];
    const paths = resolvePaths({ env, cwd });
    const result = await withKernelHandle({ paths, env, cwd, scope: { services: [service] } }, (kernel) => kernel.call(service, method, callArgs));
    out(json(result ?? null));
    return 0;
  },
};
