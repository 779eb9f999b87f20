import { resolvePaths } from "@aleph/kernel";
import { UsageError, type Command } from "../command.js";
import { checkEmittable } from "../kernel-handle/in-process.js";
import { withKernelHandle } from "../kernel-handle/open.js";

export const eventsEmitCommand: Command = {
  name: "events emit",
  args: "<name> [<json-payload>]",
  summary: "Emit an event on the running kernel's bus",
  details: [
    "The payload is one JSON value (default {}): aleph events emit greeting.sent '{\"to\":\"Ada\"}'.",
    "kernel.*, plugin.* and config.* are the kernel's own events and cannot be emitted.",
    "Needs a running kernel: an event emitted into a kernel started only for this command would reach nobody.",
  ].join("\n"),
  async run({ args, env, cwd, out }) {
    const [event, rawPayload, ...extra] = args;
    if (!event || extra.length > 0) throw new UsageError("expected an event name and at most one JSON payload");
    try {
      checkEmittable(event);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    let payload: unknown = {};
    if (rawPayload !== undefined) {
      try {
        payload = JSON.parse(rawPayload);
      } catch (error) {
        throw new UsageError(`the payload is not JSON (${(error as Error).message}); quote it: '{"to":"Ada"}'`);
      }
    }
    const paths = resolvePaths({ env, cwd });
    await withKernelHandle({ paths, env, cwd, requireRunning: "`aleph events emit`" }, (kernel) => kernel.emit(event, payload));
    out(`Emitted ${event}\n`);
    return 0;
  },
};

export const eventsTailCommand: Command = {
  name: "events tail",
  summary: "Print the running kernel's events as they happen, one JSON line each",
  details: [
    'Each line is {"event":"<name>","payload":{…}}, secrets scrubbed. Stops on Ctrl-C, or when the kernel stops.',
    "--filter keeps the events whose name starts with the prefix: aleph events tail --filter session.",
  ].join("\n"),
  options: { filter: { type: "string", value: "prefix", description: "Only events whose name starts with this" } },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await withKernelHandle({ paths, env, cwd, requireRunning: "`aleph events tail`" }, async (kernel) => {
        const filter = typeof options.filter === "string" ? { prefix: options.filter } : {};
        for await (const event of kernel.events({ ...filter, signal: controller.signal })) out(JSON.stringify(event) + "\n");
      });
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    return 0;
  },
};
