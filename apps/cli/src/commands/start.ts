import { existsSync } from "node:fs";
import { createKernel, resolvePaths } from "@aleph/kernel";
import { UsageError, type Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { serveControl } from "../control/serve.js";
import { invokeService } from "../kernel-handle/invoke-service.js";
import { pluginLoaders } from "../loaders.js";
import { useColor } from "../output.js";
import { initWorkspace } from "../workspace-init.js";

export const startCommand: Command = {
  name: "start",
  summary: "Boot the kernel, load plugins, watch for changes; serve until SIGINT/SIGTERM",
  details: [
    "With --events json every bus event is written to stdout as one line",
    '  {"event":"<name>","payload":{…}}',
    "and human-readable logs go to stderr (and logs/). A missing workspace is created first.",
    "Only one kernel runs per state root; a second start exits 1 naming the pid that holds it.",
  ].join("\n"),
  options: {
    events: { type: "string", value: "json", description: "Write every bus event to stdout (format: json)" },
    "no-watch": { type: "boolean", description: "Do not watch plugin directories, config files or the files plugins watch" },
  },
  async run({ options, env, cwd, err }) {
    if (options.events !== undefined && options.events !== "json") throw new UsageError(`--events takes "json", not "${String(options.events)}"`);
    const paths = resolvePaths({ env, cwd });
    const fresh = !existsSync(paths.root);
    if (fresh) {
      const result = initWorkspace(paths);
      err(`Created workspace at ${result.root} (run \`aleph init --help\` for what it holds).\n`);
    }
    const kernel = createKernel({
      env,
      cwd,
      paths,
      bundled: bundledPlugins(),
      loaders: pluginLoaders(),
      logToStderr: true,
      // A workspace created just now gets what the plugins seed (soul.md, the main agent), as `aleph init` would.
      beforeReady: async (k) => {
        if (fresh) await invokeService(k, "workspace", "init", []).catch((error: Error) => err(`Seeding the new workspace failed: ${error.message}\n`));
        await serveControl(k);
      },
      color: useColor(process.stderr, env),
      ...(options["no-watch"] ? { watch: false } : {}),
    });
    if (options.events === "json") {
      kernel.bus.onAny((event, payload) => {
        // Payloads can quote config values (config.invalid) or errors: scrub secrets like a log line.
        process.stdout.write(JSON.stringify({ event, payload: kernel.redactPayload(payload) }) + "\n");
      });
    }
    // The control server and watchers do not hold the process open by themselves.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let stopping = false;
    let markStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const stop = (signal: string) => {
      if (stopping) {
        err(`Received ${signal} again; exiting now.\n`);
        process.exit(1);
      }
      stopping = true;
      void kernel.stop(signal).finally(() => {
        clearInterval(keepAlive);
        markStopped();
      });
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    try {
      await kernel.start();
    } catch (error) {
      clearInterval(keepAlive);
      throw error;
    }
    await stopped;
    // A plugin that leaves a handle open must not keep a stopped kernel alive.
    setTimeout(() => process.exit(0), 2000).unref();
    return 0;
  },
};
