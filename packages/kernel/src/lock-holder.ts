import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Reading the root's lock without taking it: is a kernel running, and which? Kept apart from
 * lock.ts (and free of the SDK's main entry) so a command's start-up path can ask cheaply.
 */

export interface LockHolder {
  pid: number;
  startedAt: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

export function readHolder(file: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof value.pid === "number" ? { pid: value.pid, startedAt: String(value.startedAt ?? "") } : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

export const LOCK_FILE = "kernel.lock";

/** The live kernel holding the lock of a run directory, if any. */
export function lockHolder(runDir: string): LockHolder | undefined {
  const holder = readHolder(join(runDir, LOCK_FILE));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

