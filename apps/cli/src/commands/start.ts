import { UsageError, type Command } from "../command.js";

export const startCommand: Command = {
  name: "start",
  summary: "Boot the kernel, load plugins, watch for changes; serve until SIGINT/SIGTERM",
  details: [
    "With --events json every bus event is written to stdout as one line",
    '  {"event":"<name>","payload":{…}}',
    "and human-readable logs go to stderr (and logs/). A missing workspace is created first.",
    "Only one kernel runs per state root; a second start exits 1 naming the pid that holds it.",
    "",
    "The kernel runs in a worker thread of a thin supervisor that holds the root's lock. A kernel that",
    "crashes, stalls ([extensions] stall_timeout_ms) or runs out of heap ([extensions]",
    "kernel_max_heap_mb) is restarted (event kernel.restarted); the plugin to blame is",
    "quarantined when the blame is certain or repeated ([extensions] quarantine_after); see",
    "`aleph plugins enable`. SIGINT/SIGTERM stop the kernel in order, within",
    "[extensions] shutdown_timeout_ms. Exit codes: 0 stopped; 1 could not start, the root is",
    "locked, or a second signal ended it; 124 the kernel did not stop in time and was ended.",
    "See docs/isolation.md for what is and is not contained.",
  ].join("\n"),
  options: {
    events: { type: "string", value: "json", description: "Write every bus event to stdout (format: json)" },
    "no-watch": { type: "boolean", description: "Do not watch plugin directories, config files or the files plugins watch" },
    "no-supervisor": { type: "boolean", description: "Run the kernel on the main thread, unsupervised (debugging: a plugin's crash ends it)" },
  },
  async run({ options, env, cwd, err }) {
    if (options.events !== undefined && options.events !== "json") throw new UsageError(`--events takes "json", not "${String(options.events)}"`);
    const forward = [...(options.events ? ["--events", "json"] : []), ...(options["no-watch"] ? ["--no-watch"] : [])];
    if (!options["no-supervisor"]) return (await import("../start/supervisor.js")).supervise(forward);
    const { serveKernel } = await import("../start/serve-kernel.js");
    return serveKernel({ env, cwd, events: options.events === "json", watch: !options["no-watch"], err });
  },
};
