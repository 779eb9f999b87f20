import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginFiles } from "./quarantine.js";

/*
 * What `aleph start`'s supervisor and the kernel child it runs tell each other. Node built-ins
 * only: the supervisor imports it.
 *
 * - Environment, supervisor → child: SUPERVISOR_LOCK_ENV (the nonce of the lock record the
 *   supervisor holds; the child checks it instead of taking the lock) and SUPERVISOR_INFO_ENV
 *   (restart count and why the last child ended, for `status` and `kernel.restarted`).
 * - IPC, child → supervisor: `beat` (every BEAT_MS, the event loop is alive), `ready`.
 * - Files in run/, child → supervisor, read after the child ended: the breadcrumb (which plugin's
 *   import or setup is running: written synchronously before plugin code runs, so it survives
 *   an exit, an OOM abort or an endless loop there) and the crash note (blame found at the crash:
 *   `process.exit` from a plugin, or the stall/heap watchdog's suspect).
 */

export const SUPERVISOR_LOCK_ENV = "ALEPH_SUPERVISOR_LOCK";
export const SUPERVISOR_INFO_ENV = "ALEPH_SUPERVISOR_INFO";
/** Set by the supervisor on the first child of a workspace it just created (the child seeds it). */
export const FRESH_WORKSPACE_ENV = "ALEPH_FRESH_WORKSPACE";
export const BEAT_MS = 500;
/** The child's exit code when it could not start (config invalid, a usage error): the supervisor stops, it does not restart. */
export const EXIT_START_FAILED = 78;

export type ChildMessage = { type: "beat" } | { type: "ready" };

export interface RestartInfo {
  /** Why the previous kernel ended: "crash", "stall", "heap". */
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

export interface Breadcrumb {
  pid: number;
  phase: "import" | "setup" | "idle";
  plugins: { id: string; files?: PluginFiles }[];
}

export interface CrashNote {
  pid: number;
  /** "exit" (a plugin called process.exit), "stall" or "heap" (the watchdog's suspect). */
  kind: "exit" | "stall" | "heap";
  plugin?: string;
  files?: PluginFiles;
  certain: boolean;
  detail: string;
}

const BREADCRUMB_FILE = "kernel-breadcrumb.json";
const CRASH_NOTE_FILE = "kernel-crash.json";

function writeNow(file: string, value: unknown): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(value), { mode: 0o600 });
  renameSync(temp, file);
}

function readOf<T extends { pid: number }>(file: string, pid: number): T | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as T;
    return value.pid === pid ? value : undefined;
  } catch {
    return undefined;
  }
}

export const writeBreadcrumb = (runDir: string, crumb: Breadcrumb): void => writeNow(join(runDir, BREADCRUMB_FILE), crumb);
export const writeCrashNote = (runDir: string, note: CrashNote): void => writeNow(join(runDir, CRASH_NOTE_FILE), note);
export const readBreadcrumb = (runDir: string, pid: number): Breadcrumb | undefined => readOf(join(runDir, BREADCRUMB_FILE), pid);
export const readCrashNote = (runDir: string, pid: number): CrashNote | undefined => readOf(join(runDir, CRASH_NOTE_FILE), pid);

/** Removes the child's notes once the supervisor has read them (a later child writes its own). */
export function clearChildNotes(runDir: string): void {
  for (const name of [BREADCRUMB_FILE, CRASH_NOTE_FILE]) rmSync(join(runDir, name), { force: true });
}
