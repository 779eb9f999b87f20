import { Worker } from "node:worker_threads";

/*
 * Creating the kernel's worker thread (start/kernel-worker.ts). Kept apart from the supervisor so
 * `aleph start` creates the first thread before it loads anything else: the thread boots and
 * imports the kernel while the supervisor loads, reads the config and takes the lock. Node
 * built-ins only.
 */

/** [extensions] kernel_max_heap_mb's default (config-schema.ts). */
export const DEFAULT_KERNEL_HEAP_MB = 2_048;
/** The young generation as large as the main thread's: a worker's smaller default made start-up GC more often. */
const YOUNG_GENERATION_MB = 64;
/** Shared slots (supervision-protocol.ts SLOT_COUNT; not imported here, to stay free of the kernel's modules). */
const SLOTS = 8;

export interface KernelThread {
  worker: Worker;
  shared: SharedArrayBuffer;
  heapMb: number;
}

export function createKernelThread(heapMb = DEFAULT_KERNEL_HEAP_MB): KernelThread {
  // What the kernel (and LanceDB, and plugins) create is private: see private-umask.ts (inlined: built-ins only here).
  process.umask(0o077);
  const shared = new SharedArrayBuffer(SLOTS * 4);
  const worker = new Worker(new URL("./kernel-worker.js", import.meta.url), {
    workerData: { shared },
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  return { worker, shared, heapMb };
}
