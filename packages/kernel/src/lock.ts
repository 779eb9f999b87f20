import { openSync, renameSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { isAlive, LOCK_FILE, readHolder } from "./lock-holder.js";
import { join } from "node:path";
import { AlephError, mkdirPrivateSync, PRIVATE_FILE_MODE } from "@aleph/plugin-sdk";

export { lockHolder, LOCK_FILE, type LockHolder } from "./lock-holder.js";

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
