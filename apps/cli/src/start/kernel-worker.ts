import { parentPort, workerData } from "node:worker_threads";
import type { KernelWorkerData, SupervisorMessage } from "@aleph/kernel";
import { EXIT_START_FAILED } from "./exit-codes.js";

/*
 * The kernel, in the worker thread `aleph start`'s supervisor runs it in (start/supervisor.ts).
 * It imports the kernel's code at once and starts the kernel on the supervisor's `go` (sent once
 * the lock is held). The thread's exit code tells the supervisor how it ended: 0 an orderly stop,
 * EXIT_START_FAILED the kernel could not start (it said why; the supervisor stops instead of
 * starting it again), anything else a crash.
 */

const err = (text: string) => void process.stderr.write(text);

const modules = Promise.all([import("@aleph/kernel"), import("./serve-kernel.js")]);
const first = new Promise<SupervisorMessage>((resolve) => parentPort!.once("message", resolve));

async function main(): Promise<number> {
  const [[{ resolvePaths, SupervisedKernel }, { serveKernel }], go] = await Promise.all([modules, first]);
  if (go.type !== "go") return 0; // stopped before it started
  const child = new SupervisedKernel((workerData as KernelWorkerData).shared);
  const env = process.env;
  const cwd = process.cwd();
  try {
    resolvePaths({ env, cwd }); // a bad ALEPH_PROFILE fails here, as a start failure
    return await serveKernel({
      env,
      cwd,
      events: go.events,
      watch: go.watch,
      err,
      supervised: { child, lockNonce: go.lockNonce, info: go.info, freshWorkspace: go.freshWorkspace },
    });
  } catch (error) {
    child.orderly();
    const { reportFailure } = await import("../command.js"); // only a failed start needs it
    reportFailure("start", error, err);
    return EXIT_START_FAILED;
  }
}

/** After an orderly stop, how long the thread may take to drain before it is ended anyway. */
const DRAIN_MS = 500;

void main().then((code) => {
  if (code !== 0) process.exit(code);
  // Stopped in order: every plugin unloaded, the logs closed. The thread normally ends by itself
  // once its last handle closes (its event lines reach stdout first). A handle a library leaves
  // open — a file watcher started while the kernel was stopping — must not turn an orderly stop
  // into the supervisor's kill at shutdown_timeout_ms: after DRAIN_MS the thread ends regardless.
  setTimeout(() => process.exit(0), DRAIN_MS).unref();
});
