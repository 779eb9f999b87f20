import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";

/*
 * Everything under the state root is private to its owner: conversations, audit records, logs and
 * secrets alike. Every file Aleph creates there is 0600 and every directory 0700. The mode is given
 * to open/mkdir itself, so the entry is never visible with looser bits, whatever the umask (a umask
 * only ever removes bits). Files that another library creates (a database, a socket) are tightened
 * with makePrivateSync right after.
 */

/** Mode of every file Aleph creates under the state root. */
export const PRIVATE_FILE_MODE = 0o600;

/** Mode of every directory Aleph creates under the state root. */
export const PRIVATE_DIR_MODE = 0o700;

/** Permission bits that let anyone but the owner in. */
export const GROUP_OTHER_BITS = 0o077;

/** `mkdir -p` where every directory it creates is 0700; returns the first one created, like mkdirSync. */
export function mkdirPrivateSync(dir: string): string | undefined {
  return mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Asynchronous twin of mkdirPrivateSync. */
export function mkdirPrivate(dir: string): Promise<string | undefined> {
  return mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Removes the group and other bits of an entry that another library created with its own mode
 * (keeping the owner's bits). A symbolic link is left alone: it is never followed.
 */
export function makePrivateSync(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if ((stat.mode & GROUP_OTHER_BITS) !== 0) chmodSync(path, stat.mode & 0o7700 & ~GROUP_OTHER_BITS);
}
