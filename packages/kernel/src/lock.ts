import { createHash, randomBytes } from "node:crypto";
import { linkSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AlephError, mkdirPrivateSync, PRIVATE_FILE_MODE } from "@aleph/plugin-sdk/core";
import { holderIsLive, isAlive, LOCK_FILE, parseHolder, processStartOf, type LockHolder } from "./lock-holder.js";

export { lockHolder, LOCK_FILE, type LockHolder } from "./lock-holder.js";

/*
 * The one-kernel-per-root lock, run/kernel.lock. Three rules make it safe against racing starters:
 *
 * 1. The file is complete from the moment it exists: the record is written to a temp file, then
 *    link()ed into place (link fails if the name exists, atomically), so nobody reads it half-written.
 * 2. A holder is judged gone only from a complete record: its pid is dead, or alive but started at
 *    another time (the pid was reused). An unreadable file is never taken over.
 * 3. A dead holder's lock is replaced only by the one starter that wins the claim on that exact
 *    record: `kernel.lock.next-<digest of the record>`, itself created with link(). Only the
 *    claimant may rename its record over the lock, and only while the lock still holds the dead
 *    record; nobody ever deletes a lock file that holds someone else's live record.
 * A claimant that dies mid-claim leaves a claim whose own record is dead: the same rule, one level
 * up, replaces it.
 */

export interface HeldLock {
  readonly record: LockHolder;
  /** Removes the lock if it still holds this record. Safe to call twice. */
  release(): void;
}

const CLAIM_PREFIX = `${LOCK_FILE}.next-`;
const TEMP_PREFIX = `${LOCK_FILE}.tmp-`;
/** Looks before giving up while another starter is mid-takeover (each look waits a few ms). */
const MAX_LOOKS = 60;

const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 24);

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

class LockFiles {
  readonly file: string;
  readonly text: string;
  readonly record: LockHolder;

  constructor(readonly runDir: string) {
    this.file = join(runDir, LOCK_FILE);
    const processStart = processStartOf(process.pid);
    this.record = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      nonce: randomBytes(12).toString("hex"),
      ...(processStart ? { processStart } : {}),
    };
    this.text = JSON.stringify(this.record);
  }

  #temp(): string {
    const temp = join(this.runDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
    writeFileSync(temp, this.text, { mode: PRIVATE_FILE_MODE });
    return temp;
  }

  /** Creates `target` holding our record, only if no file has that name. */
  link(target: string): boolean {
    const temp = this.#temp();
    try {
      linkSync(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    } finally {
      unlinkQuietly(temp);
    }
  }

  /** Puts our record in `target`, replacing what is there in one step. */
  replace(target: string): void {
    renameSync(this.#temp(), target);
  }

  /** Removes `target` if it holds our record (no one else can change a file that holds a live record). */
  removeIfOurs(target: string): void {
    if (readText(target) === this.text) unlinkQuietly(target);
  }

  claimOn(deadText: string): string {
    return join(this.runDir, `${CLAIM_PREFIX}${digest(deadText)}`);
  }

  /**
   * Makes `target` hold our record, provided it still holds `deadText` (a dead holder's record).
   * True when it did; false when someone else is doing it or already did (look again).
   */
  replaceDead(target: string, deadText: string, depth: number): boolean {
    const claim = this.claimOn(deadText);
    if (!this.link(claim)) {
      const claimText = readText(claim);
      if (claimText === undefined) return false; // the claim just went: look again
      const claimant = parseHolder(claimText);
      if (!claimant || holderIsLive(claimant)) return false; // a live starter is taking over (or a foreign file: give up below)
      if (depth >= 3 || !this.replaceDead(claim, claimText, depth + 1)) return false;
    }
    // The claim on deadText is ours: nobody else may replace target while it holds deadText.
    if (readText(target) !== deadText) {
      this.removeIfOurs(claim);
      return false;
    }
    this.replace(target);
    this.removeIfOurs(claim);
    return true;
  }

  /** Once the lock is ours, claims on older records and temp files of dead starters are leftovers. */
  sweep(): void {
    let names: string[];
    try {
      names = readdirSync(this.runDir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(CLAIM_PREFIX)) {
        const claimant = parseHolder(readText(join(this.runDir, name)) ?? "");
        if (!claimant || !holderIsLive(claimant)) unlinkQuietly(join(this.runDir, name));
      } else if (name.startsWith(TEMP_PREFIX)) {
        const pid = Number(name.slice(TEMP_PREFIX.length).split("-")[0]);
        if (!isAlive(pid)) unlinkQuietly(join(this.runDir, name));
      }
    }
  }
}

function lockedBy(holder: LockHolder, file: string): AlephError {
  return new AlephError("ALEPH_E_LOCKED", `another kernel (pid ${holder.pid}, started ${holder.startedAt}) is running on this state root`, {
    file,
    fix: `stop it first (kill ${holder.pid}), or use another root with ALEPH_STATE_DIR or ALEPH_PROFILE`,
  });
}

/** One look at the lock: true when it is now ours; throws when a live holder has it. */
function tryTake(files: LockFiles, look: number): boolean {
  const { file } = files;
  if (files.link(file)) return true;
  const text = readText(file);
  if (text === undefined) return false; // released meanwhile: link again
  const holder = parseHolder(text);
  if (!holder) {
    throw new AlephError("ALEPH_E_LOCKED", "the kernel lock file is not a lock record Aleph wrote, so it cannot tell whether a kernel holds it", {
      file,
      fix: `if no aleph kernel runs on this root, remove ${file}`,
    });
  }
  if (holderIsLive(holder)) throw lockedBy(holder, file);
  if (files.replaceDead(file, text, 0)) return true;
  sleepSync(2 + Math.min(look, 20)); // another starter is taking the dead holder's place: look again
  return false;
}

/** Takes the root's lock, or throws ALEPH_E_LOCKED naming the live holder. */
export function acquireLock(runDir: string): HeldLock {
  mkdirPrivateSync(runDir);
  const files = new LockFiles(runDir);
  for (let look = 0; look < MAX_LOOKS; look++) {
    if (!tryTake(files, look)) continue;
    files.sweep();
    let released = false;
    return {
      record: files.record,
      release() {
        if (released) return;
        released = true;
        files.removeIfOurs(files.file);
      },
    };
  }
  throw new AlephError("ALEPH_E_LOCKED", "could not take the kernel lock: another starter kept it busy", { file: files.file, fix: "try again" });
}

/**
 * Checks that the root's lock is held by this process with the record the supervisor announced
 * (a kernel run in a worker thread by `aleph start`'s supervisor, which holds the lock across restarts).
 */
export function assertInheritedLock(runDir: string, nonce: string): void {
  const file = join(runDir, LOCK_FILE);
  const holder = parseHolder(readText(file) ?? "");
  if (holder?.nonce === nonce && holder.pid === process.pid) return;
  throw new AlephError("ALEPH_E_LOCKED", "this kernel was started under a supervisor, but the supervisor does not hold the root's lock", {
    file,
    fix: "run `aleph start`; the kernel thread is not started by hand",
  });
}
