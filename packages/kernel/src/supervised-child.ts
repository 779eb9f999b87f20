import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import { stackFiles } from "./fault-handlers.js";
import type { Kernel } from "./kernel.js";
import { activity, BEAT_SLOT, currentPlugin, HEAP_SLOT, onNewOwner, trackPluginTimers } from "./plugin-activity.js";
import { BEAT_MS, writeBreadcrumb, writeCrashNote, type ChildMessage } from "./supervision-protocol.js";
import { WATCHDOG_SOURCE } from "./watchdog-source.js";

/*
 * The kernel's side of supervision (the supervisor is `aleph start`; supervision-protocol.ts is
 * what they exchange). The child proves it is alive with a heartbeat over IPC, writes down which
 * plugin's code is running before it runs it, notes who called `process.exit`, and runs a
 * watchdog thread that names a suspect when the event loop stalls or the heap nears its cap —
 * all so that when the supervisor restarts it, the right plugin is blamed.
 */

const GAUGE_MS = 100;

export class SupervisedChild {
  #kernel: Kernel | undefined;
  #orderly = false;
  #watchdog: Worker | undefined;

  constructor(
    readonly runDir: string,
    readonly options: { stallTimeoutMs: number },
  ) {}

  /** For createKernel({ breadcrumb }): written synchronously, so it survives whatever the plugin's code does next. */
  readonly breadcrumb = (phase: "import" | "setup" | "idle", ids: readonly string[]): void => {
    const files = ids.length > 0 ? this.#kernel?.host.pluginFiles() : undefined;
    writeBreadcrumb(this.runDir, { pid: process.pid, phase, plugins: ids.map((id) => ({ id, ...(files?.[id] ? { files: files[id] } : {}) })) });
  };

  /** Starts the heartbeat, the exit note and the watchdog for `kernel` (before it starts). */
  attach(kernel: Kernel): void {
    this.#kernel = kernel;
    trackPluginTimers();
    process.channel?.unref(); // the IPC channel alone must not keep a stopped kernel alive
    // The supervisor is gone (killed): a kernel nobody holds the lock for must not go on.
    process.on("disconnect", () => {
      if (!this.#orderly) void kernel.stop("SIGTERM").finally(() => process.exit(0));
    });
    process.on("exit", (code) => this.#noteExit(code));
    // The heap gauge is read often (a runaway allocation can fill a small cap within a second); the beat goes out every BEAT_MS.
    let ticks = 0;
    const beat = setInterval(() => {
      Atomics.add(activity, BEAT_SLOT, 1);
      const heap = getHeapStatistics();
      Atomics.store(activity, HEAP_SLOT, Math.round((100 * heap.used_heap_size) / heap.heap_size_limit));
      if (++ticks % (BEAT_MS / GAUGE_MS) === 0) this.#send({ type: "beat" });
    }, GAUGE_MS);
    beat.unref();
    this.#startWatchdog();
  }

  /** The kernel is ready: tell the supervisor (which resets its crash backoff once the kernel stays up). */
  ready(): void {
    this.#send({ type: "ready" });
  }

  /** An exit from here on is the kernel's own (an orderly stop, or a start that failed and said why). */
  orderly(): void {
    this.#orderly = true;
    void this.#watchdog?.terminate();
  }

  #send(message: ChildMessage): void {
    if (process.connected) process.send?.(message);
  }

  /** A plugin called process.exit (at import, in setup, anywhere): its frame is on the stack, or its async context is current. */
  #noteExit(code: number): void {
    if (this.#orderly || !this.#kernel) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    const probe = new Error("exit");
    Error.stackTraceLimit = limit;
    let plugin: string | undefined;
    for (const file of stackFiles(probe)) if ((plugin = this.#kernel.host.pluginOfFile(file)) !== undefined) break;
    plugin ??= currentPlugin();
    const files = plugin !== undefined ? this.#kernel.host.pluginFiles()[plugin] : undefined;
    writeCrashNote(this.runDir, {
      pid: process.pid,
      kind: "exit",
      certain: plugin !== undefined,
      ...(plugin !== undefined ? { plugin } : {}),
      ...(files ? { files } : {}),
      detail: plugin !== undefined ? `plugin "${plugin}" called process.exit(${code})` : `the kernel exited with code ${code} without stopping`,
    });
  }

  /**
   * A thread that keeps running while the main one is stuck: it reads the owner slot and the beat
   * counter (a SharedArrayBuffer) and writes the crash note itself. The main thread sends it the
   * plugin table as it grows.
   */
  #startWatchdog(): void {
    const worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { shared: activity.buffer, runDir: this.runDir, pid: process.pid, stallMs: Math.round(this.options.stallTimeoutMs / 2) },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on("error", () => undefined); // a watchdog that fails costs blame, never the kernel
    this.#watchdog = worker;
    onNewOwner((index, id) => worker.postMessage({ owner: { index, id } }));
    const sendFiles = () => worker.postMessage({ files: this.#kernel?.host.pluginFiles() ?? {} });
    this.#kernel?.bus.on("plugin.loaded", sendFiles);
    this.#kernel?.bus.on("kernel.ready", sendFiles);
  }
}
