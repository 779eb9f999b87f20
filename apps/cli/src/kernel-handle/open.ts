import { setTimeout as sleep } from "node:timers/promises";
import { AlephError, isAlephError } from "@aleph/plugin-sdk";
import { createKernel, type AlephPaths, type LoadScope } from "@aleph/kernel";
import { bundledPlugins } from "../bundled.js";
import { pluginLoaders } from "../loaders.js";
import { InProcessKernel } from "./in-process.js";
import { RemoteKernel } from "./remote.js";
import { runningKernel } from "./running-kernel.js";

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
}

/**
 * Runs `work` with a handle on the root's kernel: the running one over its control socket, else one
 * started in this process (scoped to what the command needs) for the whole of `work`. The root's
 * lock may be held for a moment by another command's kernel (`aleph sessions append` from several
 * scripts at once) or by an `aleph start` that has not opened its socket yet: then it looks again,
 * for up to LOCK_WAIT_MS, rather than failing with ALEPH_E_LOCKED at once. Work that ran is never repeated.
 */
export async function withKernelHandle<T>(options: OpenOptions, work: (handle: RemoteKernel | InProcessKernel) => Promise<T>): Promise<T> {
  const { paths, env, cwd } = options;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
    const running = runningKernel(paths);
    if (running) {
      const remote = new RemoteKernel(running.socket);
      try {
        return await work(remote);
      } finally {
        remote.close();
      }
    }
    if (options.requireRunning) {
      throw new AlephError("ALEPH_E_USAGE", `${options.requireRunning} needs a running kernel, and none runs on ${paths.root}`, { fix: "start one with `aleph start` (in another terminal)" });
    }
    let started = false;
    try {
      const kernel = createKernel({
        env: { ...env, ALEPH_LOG: env.ALEPH_LOG ?? "warn" },
        cwd,
        paths,
        bundled: bundledPlugins(),
        loaders: pluginLoaders(),
        watch: false,
        logToStderr: true,
        logToFiles: options.logToFiles ?? true,
        ...(options.scope ? { scope: options.scope } : {}),
      });
      await kernel.start();
      started = true;
      try {
        return await work(new InProcessKernel(kernel));
      } finally {
        await kernel.stop();
      }
    } catch (error) {
      // Only a kernel that could not start is retried.
      if (started || !isAlephError(error) || (error as AlephError).code !== "ALEPH_E_LOCKED" || Date.now() >= deadline) throw error;
    }
    await sleep(delay + Math.floor(Math.random() * delay));
  }
}
