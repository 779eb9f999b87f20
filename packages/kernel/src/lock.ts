import { openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { AlephError, mkdirPrivateSync, PRIVATE_FILE_MODE } from "@aleph/plugin-sdk";

export interface LockHolder {
  pid: number;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

function readHolder(file: string): LockHolder | undefined {
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

/**
 * Takes the one-kernel-per-root lock (run/kernel.lock, created exclusively). A lock left by a
 * dead process is taken over: it is renamed aside first, so of two starters racing for a stale
 * lock only one wins the rename.
 */
export function acquireLock(runDir: string): { release(): void } {
  mkdirPrivateSync(runDir);
  const file = join(runDir, LOCK_FILE);
  const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", PRIVATE_FILE_MODE);
      writeSync(fd, content);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readHolder(file)?.pid === process.pid) {
            try {
              unlinkSync(file);
            } catch {
              // already gone
            }
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder.pid)) {
      throw new AlephError("ALEPH_E_LOCKED", `another kernel (pid ${holder.pid}, started ${holder.startedAt}) is running on this state root`, {
        file,
        fix: `stop it first (kill ${holder.pid}), or use another root with ALEPH_STATE_DIR or ALEPH_PROFILE`,
      });
    }
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(file, aside);
      const moved = readHolder(aside);
      if (moved && holder && moved.pid !== holder.pid && isAlive(moved.pid)) {
        renameSync(aside, file); // we raced a starter that had just taken it: give it back
        continue;
      }
      unlinkSync(aside);
    } catch {
      // someone else moved it first; try again
    }
  }
  throw new AlephError("ALEPH_E_LOCKED", "could not take the kernel lock after several attempts", { file, fix: "try again" });
}
