import { existsSync } from "node:fs";
import { createKernel, resolvePaths, type AlephPaths, type SupervisedChild, type SupervisorInfo } from "@aleph/kernel";
import { bundledPlugins } from "../bundled.js";
import { serveControl } from "../control/serve.js";
import { invokeService } from "../kernel-handle/invoke-service.js";
import { pluginLoaders } from "../loaders.js";
import { useColor } from "../output.js";
import { initWorkspace } from "../workspace-init.js";

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  events: boolean;
  watch: boolean;
  err: (text: string) => void;
  /** A signal that arrived before this function could listen (kernel-child.ts keeps it); asking also drops the early listeners. */
  earlySignal?: () => NodeJS.Signals | undefined;
  /** Set in the kernel child `aleph start`'s supervisor runs (start/kernel-child.ts). */
  supervised?: { child: SupervisedChild; lockNonce: string; info: SupervisorInfo; freshWorkspace: boolean };
}

/** The workspace exists (created now if missing, as `aleph init` would); true when it was created. */
export function ensureWorkspace(paths: AlephPaths, err: (text: string) => void): boolean {
  if (existsSync(paths.root)) return false;
  const result = initWorkspace(paths);
  err(`Created workspace at ${result.root} (run \`aleph init --help\` for what it holds).\n`);
  return true;
}

function seedFresh(paths: AlephPaths, err: (text: string) => void): boolean {
  const result = initWorkspace(paths);
  err(`Created workspace at ${result.root} (run \`aleph init --help\` for what it holds).\n`);
  return true;
}

/**
 * Runs the root's kernel in this process until SIGINT/SIGTERM: `aleph start --no-supervisor`,
 * and the kernel child of `aleph start`'s supervisor. Resolves with the exit code; throws when the
 * kernel cannot start.
 */
export async function serveKernel(options: ServeOptions): Promise<number> {
  const { env, cwd, err, supervised } = options;
  const paths = resolvePaths({ env, cwd });
  // The supervisor took the lock (creating run/) before this child ran: it says whether the root was new.
  const fresh = supervised ? supervised.freshWorkspace && seedFresh(paths, err) : ensureWorkspace(paths, err);
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
      await serveControl(k, supervised ? { lockPid: supervised.info.pid } : {});
      if (supervised?.info.last) await k.bus.emit("kernel.restarted", { reason: supervised.info.last.reason, blamed: supervised.info.last.blamed ?? null, detail: supervised.info.last.detail, restarts: supervised.info.restarts });
    },
    color: useColor(process.stderr, env),
    ...(options.watch ? {} : { watch: false }),
    ...(supervised ? { inheritedLock: supervised.lockNonce, breadcrumb: supervised.child.breadcrumb, supervisor: supervised.info } : {}),
  });
  if (options.events) {
    kernel.bus.onAny((event, payload) => {
      // Payloads can quote config values (config.invalid) or errors: scrub secrets like a log line.
      process.stdout.write(JSON.stringify({ event, payload: kernel.redactPayload(payload) }) + "\n");
    });
  }
  supervised?.child.attach(kernel);
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
    supervised?.child.orderly();
    void kernel.stop(signal).finally(() => {
      clearInterval(keepAlive);
      markStopped();
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  if (options.earlySignal?.()) {
    // Stopped before anything started: nothing to unload.
    clearInterval(keepAlive);
    supervised?.child.orderly();
    return 0;
  }
  try {
    await kernel.start();
  } catch (error) {
    clearInterval(keepAlive);
    supervised?.child.orderly();
    throw error;
  }
  supervised?.child.ready();
  await stopped;
  // A plugin that leaves a handle open must not keep a stopped kernel alive.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
