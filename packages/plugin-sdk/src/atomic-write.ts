import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { PRIVATE_FILE_MODE } from "./private-fs.js";

export interface AtomicWriteOptions {
  /** Mode of the file written; default 0o600, private like everything under the state root. */
  mode?: number;
  /**
   * fsync the file and its directory (default true): the new content survives a power loss. Off,
   * the write is still atomic against a crash of the process (readers see old or new, never a mix).
   */
  durable?: boolean;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** Makes a directory entry change (create, rename, unlink) durable; a no-op where fsync on a directory is refused. */
export function fsyncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

/**
 * Writes a file so that readers see the old content or the new, never a mix:
 * temp file beside it, fsync, rename over, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, "wx", options.mode ?? PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    if (options.durable !== false) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (options.durable !== false) fsyncDirSync(dirname(path));
}

/** Synchronous twin of writeFileAtomic, for start-up and shutdown paths. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, "wx", options.mode ?? PRIVATE_FILE_MODE);
  try {
    writeFileSync(fd, data);
    if (options.durable !== false) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw error;
  }
  if (options.durable !== false) fsyncDirSync(dirname(path));
}
