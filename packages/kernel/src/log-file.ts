import { closeSync, openSync, writeSync } from "node:fs";
import { PRIVATE_FILE_MODE } from "@aleph/plugin-sdk";

/*
 * One append-only log file. Lines logged in one turn of the event loop are written together, by
 * one write, when the turn ends (setImmediate): a burst of lines costs one system call, and a line
 * is on disk (in the page cache) a moment after it was logged — also when the process ends
 * (every open log file is flushed on `exit`). A file that cannot be written (full disk, revoked
 * permission) costs its lines and one notice on stderr, never the caller: logging never throws.
 */

const open = new Set<LogFile>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const file of open) file.flushSync();
  });
}

export class LogFile {
  readonly path: string;
  #fd: number | undefined;
  #pending: string[] = [];
  #scheduled = false;
  #closed = false;
  #failing = false;

  constructor(path: string) {
    this.path = path;
    open.add(this);
    flushAllOnExit();
  }

  write(line: string): void {
    if (this.#closed) return;
    this.#pending.push(line);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flushSync()).unref();
  }

  /** Writes what is pending now. */
  flushSync(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(""));
    this.#pending = [];
    try {
      this.#fd ??= openSync(this.path, "a", PRIVATE_FILE_MODE);
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.#fd, data, offset);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) process.stderr.write(`aleph: could not write ${this.path} (${(error as Error).message}); log lines are dropped until it can\n`);
      this.#failing = true;
    }
  }

  /** Flushes and closes the file; lines written afterwards are dropped. */
  close(): void {
    if (this.#closed) return;
    this.flushSync();
    this.#closed = true;
    open.delete(this);
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // Already gone: nothing to release.
      }
      this.#fd = undefined;
    }
  }
}
