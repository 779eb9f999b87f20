import { createKernel, resolvePaths, type SupervisedKernel, type SupervisorInfo } from "@aleph/kernel";
import { bundledPluginsForKernel } from "../bundled.js";
import { serveControl } from "../control/serve.js";
import { invokeService } from "../kernel-handle/invoke-service.js";
import { pluginLoaders } from "../loaders.js";
import { useColor } from "../output.js";
import { ensureWorkspace } from "../workspace-init.js";
import { usePrivateUmask } from "../private-umask.js";

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  events: boolean;
  watch: boolean;
  err: (text: string) => void;
  /** Set in the kernel worker `aleph start`'s supervisor runs (start/kernel-worker.ts); signals then come as its messages. */
  supervised?: { child: SupervisedKernel; lockNonce: string; info: SupervisorInfo; freshWorkspace: boolean };
}

/**
 * Runs the root's kernel until SIGINT/SIGTERM: in this process (`aleph start --no-supervisor`),
 * or in the worker thread of `aleph start`'s supervisor, which passes the signals on. Resolves with the exit code; throws when the
 * kernel cannot start.
 */
export async function serveKernel(options: ServeOptions): Promise<number> {
  const { env, cwd, err, supervised } = options;
  const paths = resolvePaths({ env, cwd });
  usePrivateUmask(); // --no-supervisor: this is the kernel's main thread (under the supervisor, kernel-thread.ts did it)
  // Under the supervisor, the root it found missing was created with the lock (run/): the files are written here.
  const fresh = supervised ? supervised.freshWorkspace && ensureWorkspace(paths, err, true) : ensureWorkspace(paths, err);
  const kernel = createKernel({
    env,
    cwd,
    paths,
    bundled: bundledPluginsForKernel(),
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
  if (supervised) supervised.child.attach(kernel, stop);
  else {
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
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
