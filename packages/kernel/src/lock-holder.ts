import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Reading the root's lock without taking it: is a kernel running, and which? Kept apart from
 * lock.ts (and free of the SDK's main entry) so a command's start-up path can ask cheaply.
 */

/** What run/kernel.lock holds: complete from the moment the file exists (lock.ts links it into place). */
export interface LockHolder {
  pid: number;
  startedAt: string;
  /** Tells two holders with the same pid apart (a pid reused after a reboot or in a container). */
  nonce?: string;
  /** The holder process's start time (Linux: clock ticks after boot, /proc/<pid>/stat field 22). */
  processStart?: string;
}

export const LOCK_FILE = "kernel.lock";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** A process's start time where the OS tells it cheaply (Linux), else undefined. */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the process a record names still runs: its pid is alive and, where known, started when the record says. */
export function holderIsLive(holder: LockHolder): boolean {
  if (!isAlive(holder.pid)) return false;
  if (holder.processStart === undefined) return true;
  const now = processStartOf(holder.pid);
  return now === undefined || now === holder.processStart;
}

/** A lock record parsed from the file's text, or undefined when it is not one. */
export function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== "number" || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      startedAt: String(value.startedAt ?? ""),
      ...(typeof value.nonce === "string" ? { nonce: value.nonce } : {}),
      ...(typeof value.processStart === "string" ? { processStart: value.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

export function readHolder(file: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** The live process holding the lock of a run directory (the kernel, or the supervisor running it), if any. */
export function lockHolder(runDir: string): LockHolder | undefined {
  const holder = readHolder(join(runDir, LOCK_FILE));
  return holder && holderIsLive(holder) ? holder : undefined;
}
