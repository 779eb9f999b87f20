import { randomBytes } from "node:crypto";
import { link, lstat, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PRIVATE_FILE_MODE } from "@aleph/plugin-sdk";

/** Errors from link() that mean "this filesystem has no hard links", not "the name is taken". */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path); // lstat: a dangling symlink is something, and we never write through it
    return true;
  } catch {
    return false;
  }
}

/** Writes a new file (0600) and fsyncs it, so a name later linked to it never shows it empty after a power cut. */
async function writeDurable(path: string, data: string): Promise<void> {
  const handle = await open(path, "wx", PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `path` holding `data` unless anything already exists there; returns whether it did.
 *
 * The content is written and fsynced under a temporary name (a name dropped after the link, so it
 * is neither renamed nor its directory fsynced), then hard-linked into place. link() fails with
 * EEXIST rather than replace, so a file that appears meanwhile — a user saving SOUL.md while
 * seeding runs — is never overwritten, and no reader sees a half-written file. The directory is not fsynced after the link: if a crash loses the new name, the file is
 * merely missing again and the next seeding creates it.
 */
export async function createFileExclusive(path: string, data: string): Promise<boolean> {
  if (await exists(path)) return false;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.seed`);
  try {
    await writeDurable(temp, data);
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
    // No hard links here: check, then rename. The window between the two is the only race left.
    if (await exists(path)) return false;
    await rename(temp, path);
    return true;
  } finally {
    await unlink(temp).catch(() => undefined); // after a rename it is already gone
  }
}
