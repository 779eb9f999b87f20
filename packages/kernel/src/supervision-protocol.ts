/*
 * What `aleph start`'s supervisor (the process's main thread) and the kernel it runs (a worker
 * thread) share. Node built-ins only: the supervisor imports it.
 *
 * Shared memory (a SharedArrayBuffer the supervisor creates, plugin-activity.ts adopts): the
 * kernel writes it synchronously, before plugin code runs, and the supervisor reads it from its
 * own thread — while the kernel's thread is stuck in a loop, or after it died. Nothing written
 * there is lost to a crash.
 *
 * Messages, kernel → supervisor: `ready`; `owner` (a plugin got an index in the owner slot, with
 * its manifest and entry files, for a quarantine's fingerprint). Supervisor → kernel: `stop`.
 */

/** The plugin (owner index; 0: the kernel) whose code the kernel thread entered last. */
export const OWNER_SLOT = 0;
/** Counts the kernel's heartbeats (every GAUGE_MS): a counter that stops moving is a stalled event loop. */
export const BEAT_SLOT = 1;
/** The kernel's heap in use, in percent of its limit. */
export const HEAP_SLOT = 2;
/** What plugin code the kernel runs now: PHASE_IDLE, PHASE_IMPORT or PHASE_SETUP. */
export const PHASE_SLOT = 3;
/** The owner index of the plugin in PHASE_SLOT's phase; -1 when several are importing at once. */
export const PHASE_OWNER_SLOT = 4;
/** The owner index of a plugin that called process.exit (0: none). */
export const EXIT_OWNER_SLOT = 5;
export const SLOT_COUNT = 8;

export const PHASE_IDLE = 0;
export const PHASE_IMPORT = 1;
export const PHASE_SETUP = 2;

export const GAUGE_MS = 100;

export interface PluginFilesMessage {
  manifestFile: string;
  entryFile: string;
}

export type KernelMessage = { type: "ready" } | { type: "owner"; index: number; id: string; files?: PluginFilesMessage };
/**
 * `go`: the supervisor holds the lock (and has seeded a new workspace): start the kernel. The
 * thread imports the kernel's code while it waits for it. `stop`: stop in order.
 */
export type SupervisorMessage = ({ type: "go" } & KernelStart) | { type: "stop"; signal: string };

export interface RestartInfo {
  /** Why the previous kernel ended: "exit", "crash", "stall", "heap". */
  reason: string;
  /** The plugin blamed, if any. */
  blamed?: string;
  /** What happened, in words. */
  detail: string;
  at: string;
}

export interface SupervisorInfo {
  pid: number;
  restarts: number;
  last?: RestartInfo;
}

/** What the supervisor hands the kernel worker when it creates it (workerData). */
export interface KernelWorkerData {
  shared: SharedArrayBuffer;
}

/** What the `go` message carries. */
export interface KernelStart {
  lockNonce: string;
  info: SupervisorInfo;
  /** The root did not exist when the supervisor started: the kernel creates the workspace and seeds it through the plugins. */
  freshWorkspace: boolean;
  events: boolean;
  watch: boolean;
}
