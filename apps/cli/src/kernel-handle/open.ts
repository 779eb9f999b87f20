import { setTimeout as sleep } from "node:timers/promises";
import { AlephError, isAlephError } from "@aleph/plugin-sdk/core";
import type { AlephPaths, Kernel, LoadScope } from "@aleph/kernel";
import { bundledPluginsForKernel } from "../bundled.js";
import { InProcessKernel } from "./in-process.js";
import { RemoteKernel } from "./remote.js";
import { runningKernel } from "./running-kernel.js";
import { usePrivateUmask } from "../private-umask.js";

/** How long a command waits for the root's lock while another command's kernel holds it. */
const LOCK_WAIT_MS = 10_000;

export interface OpenOptions {
  paths: AlephPaths;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What an in-process kernel loads; omitted: every plugin (as `aleph start` would, minus nothing). */
  scope?: LoadScope;
  /** Write logs/ from an in-process kernel (default true; `aleph init` seeds before any log is wanted). */
  logToFiles?: boolean;
  /** Only a running kernel will do (`aleph events tail`): without one, fail saying so. */
  requireRunning?: string;
  /**
   * Without a running kernel, start the root's kernel here as `aleph start` would — every plugin,
   * watching, serving the control socket — so other commands reach it while this one runs.
   */
  foreground?: boolean;
}

/** A handle that is open, and how to let it go (an in-process kernel stops). */
export interface OpenHandle {
  handle: RemoteKernel | InProcessKernel;
  close(): Promise<void>;
}

/**
 * A kernel in this process. The kernel's code (its logger, watcher, host) is imported here, on
 * first use: a command that reaches the running kernel over its socket never loads it.
 */
async function startInProcess(options: OpenOptions): Promise<Kernel> {
  const { paths, env, cwd } = options;
  usePrivateUmask();
  const [{ createKernel }, { pluginLoaders }, { serveControl }] = await Promise.all([import("@aleph/kernel"), import("../loaders.js"), import("../control/serve.js")]);
  return createKernel({
    env: { ...env, ALEPH_LOG: env.ALEPH_LOG ?? "warn" },
    cwd,
    paths,
    bundled: bundledPluginsForKernel(),
    loaders: pluginLoaders(),
    logToStderr: true,
    logToFiles: options.logToFiles ?? true,
    ...(options.foreground ? { beforeReady: (k: Kernel) => serveControl(k) } : { watch: false, ...(options.scope ? { scope: options.scope } : {}) }),
  });
}

/**
 * Opens a handle on the root's kernel: the running one over its control socket, else one started
 * in this process (scoped to what the caller needs). The root's lock may be held for a moment by
 * another command's kernel (`aleph sessions append` from several scripts at once) or by an
 * `aleph start` that has not opened its socket yet: then it looks again, for up to LOCK_WAIT_MS,
 * rather than failing with ALEPH_E_LOCKED at once.
 */
export async function openKernelHandle(options: OpenOptions): Promise<OpenHandle> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
    const running = runningKernel(options.paths);
    if (running) {
      const remote = new RemoteKernel(running.socket);
      return { handle: remote, close: async () => remote.close() };
    }
    if (options.requireRunning) {
      throw new AlephError("ALEPH_E_USAGE", `${options.requireRunning} needs a running kernel, and none runs on ${options.paths.root}`, { fix: "start one with `aleph start` (in another terminal)" });
    }
    try {
      const kernel = await startInProcess(options);
      await kernel.start();
      return { handle: new InProcessKernel(kernel), close: () => kernel.stop() };
    } catch (error) {
      // Only a kernel that could not start is retried.
      if (!isAlephError(error) || (error as AlephError).code !== "ALEPH_E_LOCKED" || Date.now() >= deadline) throw error;
    }
    await sleep(delay + Math.floor(Math.random() * delay));
  }
}

/** Runs `work` with a handle (openKernelHandle) and lets it go after. Work that ran is never repeated. */
export async function withKernelHandle<T>(options: OpenOptions, work: (handle: RemoteKernel | InProcessKernel) => Promise<T>): Promise<T> {
  const open = await openKernelHandle(options);
  try {
    return await work(open.handle);
  } finally {
    await open.close();
  }
}
