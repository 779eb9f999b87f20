import { getHeapStatistics } from "node:v8";
import { parentPort } from "node:worker_threads";
import { stackFiles } from "./fault-handlers.js";
import type { Kernel } from "./kernel.js";
import { activity, adoptActivityBuffer, currentPlugin, onNewOwner, ownerIndex, trackPluginTimers } from "./plugin-activity.js";
import {
  BEAT_SLOT,
  EXIT_OWNER_SLOT,
  GAUGE_MS,
  HEAP_SLOT,
  PHASE_IDLE,
  PHASE_IMPORT,
  PHASE_OWNER_SLOT,
  PHASE_SETUP,
  PHASE_SLOT,
  type KernelMessage,
  type SupervisorMessage,
} from "./supervision-protocol.js";

/*
 * The kernel's side of supervision, in the worker thread `aleph start`'s supervisor runs it in
 * (supervision-protocol.ts is what they share). It beats a counter and gauges the heap in shared
 * memory, writes down which plugin's import or setup is running before it runs, notes which
 * plugin called process.exit, and tells the supervisor each plugin's files — so that whatever
 * ends this thread (an exit, the heap cap, an endless loop), the supervisor blames the right plugin.
 */

const PHASES = { idle: PHASE_IDLE, import: PHASE_IMPORT, setup: PHASE_SETUP } as const;

export class SupervisedKernel {
  #kernel: Kernel | undefined;
  #orderly = false;

  constructor(shared: SharedArrayBuffer) {
    adoptActivityBuffer(shared);
  }

  /** For createKernel({ breadcrumb }): shared memory, written before the plugin's code runs. */
  readonly breadcrumb = (phase: "import" | "setup" | "idle", ids: readonly string[]): void => {
    Atomics.store(activity, PHASE_OWNER_SLOT, ids.length === 1 ? ownerIndex(ids[0]!) : ids.length === 0 ? 0 : -1);
    Atomics.store(activity, PHASE_SLOT, PHASES[phase]);
  };

  /** Starts the heartbeat and the exit note for `kernel` (before it starts); `onStop` answers the supervisor's stop. */
  attach(kernel: Kernel, onStop: (signal: string) => void): void {
    this.#kernel = kernel;
    trackPluginTimers();
    onNewOwner((index, id) => this.#post({ type: "owner", index, id, ...(this.#filesOf(id) ? { files: this.#filesOf(id)! } : {}) }));
    kernel.bus.on("plugin.loaded", (payload) => {
      const id = (payload as { id: string }).id;
      this.#post({ type: "owner", index: ownerIndex(id), id, ...(this.#filesOf(id) ? { files: this.#filesOf(id)! } : {}) });
    });
    process.on("exit", () => this.#noteExit());
    parentPort?.on("message", (message: SupervisorMessage) => {
      if (message.type === "stop") onStop(message.signal);
    });
    const beat = setInterval(() => {
      Atomics.add(activity, BEAT_SLOT, 1);
      const heap = getHeapStatistics();
      Atomics.store(activity, HEAP_SLOT, Math.round((100 * heap.used_heap_size) / heap.heap_size_limit));
    }, GAUGE_MS);
    beat.unref();
  }

  /** The kernel is ready: the supervisor resets its crash backoff once it stays up. */
  ready(): void {
    this.#post({ type: "ready" });
  }

  /** An exit from here on is the kernel's own (an orderly stop, or a start that failed and said why). */
  orderly(): void {
    this.#orderly = true;
    // Its stop has begun: the channel must not keep the thread alive once the kernel has stopped.
    parentPort?.unref();
  }

  #filesOf(id: string) {
    return this.#kernel?.host.pluginFiles()[id];
  }

  #post(message: KernelMessage): void {
    parentPort?.postMessage(message);
  }

  /** A plugin called process.exit (at import, in setup, anywhere): its frame is on the stack, or its async context is current. */
  #noteExit(): void {
    if (this.#orderly || !this.#kernel) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    const probe = new Error("exit");
    Error.stackTraceLimit = limit;
    let plugin: string | undefined;
    for (const file of stackFiles(probe)) if ((plugin = this.#kernel.host.pluginOfFile(file)) !== undefined) break;
    plugin ??= currentPlugin();
    if (plugin !== undefined) Atomics.store(activity, EXIT_OWNER_SLOT, ownerIndex(plugin));
  }
}
