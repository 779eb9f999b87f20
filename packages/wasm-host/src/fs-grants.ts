// Confined file access for WASM plugins: `[permissions] allowed_paths` grants, served by the
// aleph_fs_* host functions (fs-host.ts). WASI gets no preopened directories at all: node:wasi is
// not a file-system sandbox (it follows symbolic links out of a preopen, and a guest can create
// them with path_symlink), so every guest path is resolved here, per access.
//
// How a guest path is resolved, race-free:
// 1. It must be absolute; it is normalised lexically (`..` cannot climb above "/"), and the longest
//    granted guest path that contains it selects the grant. Anything else is refused (EACCES).
// 2. The grant's host directory is opened (symbolic links in the configured path itself are
//    followed: the user wrote it). From there each component is opened relative to the directory
//    opened before it, through /proc/self/fd/<fd>/<name> (Linux's equivalent of openat), with
//    O_NOFOLLOW: a symbolic link anywhere below the grant is refused, whether it points outside or
//    inside, and whoever made it. Swapping a directory for a link while a walk runs changes nothing:
//    the walk holds the directories it already opened, not their paths.
// Where /proc/self/fd is missing (not Linux), each component is checked with lstat before it is
// used and the final open still refuses a link; that is race-free against the guest (which can
// create no links) but not against another process changing the directory during the walk.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, type Stats } from "node:fs";
import { posix } from "node:path";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;
const PROC_FD = process.platform === "linux" && existsSync("/proc/self/fd");

/** A refusal or failure, with a POSIX-style code and a message that names only guest paths. */
export class FsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Grant {
  /** Absolute guest path, normalised, without a trailing slash ("/" allowed). */
  guest: string;
  /** Host directory. */
  host: string;
}

/** Where a guest path lands: an open directory and the name in it (name "" = the directory itself). */
export interface Located {
  /** The guest path, normalised (for messages). */
  path: string;
  /** An open directory inside the grant (the caller closes it). */
  dirFd: number;
  /** The last component, or "" when the path is the grant's own directory. */
  name: string;
  /** A path that reaches `name` relative to dirFd (or dirFd itself when name is ""). */
  at: string;
}

const MESSAGES: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ENOTEMPTY: "directory not empty",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ENAMETOOLONG: "name too long",
};

/** An fs error from Node as an FsError that names the guest path (never a host path). */
export function fsErrorOf(error: unknown, guestPath: string): FsError {
  if (error instanceof FsError) return error;
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "EIO";
  return new FsError(code, `${guestPath}: ${MESSAGES[code] ?? code.toLowerCase()}`);
}

function symlinkRefused(path: string): FsError {
  return new FsError("ELOOP", `${path} is (or passes through) a symbolic link; links are never followed inside allowed_paths`);
}

export class FsGrants {
  readonly grants: readonly Grant[];

  /** `allowed` maps guest paths to host directories (as the loader resolves `allowed_paths`). */
  constructor(allowed: Record<string, string>) {
    this.grants = Object.entries(allowed)
      .map(([guest, host]) => ({ guest: trimSlash(posix.normalize(guest)), host }))
      // Longest guest path first: "/data/cache" wins over "/data" for "/data/cache/x".
      .sort((a, b) => b.guest.length - a.guest.length);
  }

  get empty(): boolean {
    return this.grants.length === 0;
  }

  /** The grant and the components below it, or a refusal. Lexical only: nothing is touched. */
  select(input: unknown): { grant: Grant; path: string; parts: string[] } {
    if (typeof input !== "string" || input === "") throw new FsError("EINVAL", '"path" must be a non-empty string');
    if (input.includes("\0")) throw new FsError("EINVAL", '"path" contains a NUL byte');
    if (!input.startsWith("/")) throw new FsError("EINVAL", `"${input}" is not absolute: guest paths start with a granted directory, e.g. "${this.grants[0]?.guest ?? "/data"}/notes.txt"`);
    const path = trimSlash(posix.normalize(input));
    for (const grant of this.grants) {
      const rest = grant.guest === "/" ? path : path === grant.guest ? "" : path.startsWith(`${grant.guest}/`) ? path.slice(grant.guest.length) : undefined;
      if (rest !== undefined) return { grant, path, parts: rest.split("/").filter((p) => p !== "") };
    }
    const granted = this.grants.map((g) => g.guest).join(", ");
    throw new FsError("EACCES", `${path} is outside allowed_paths (${granted ? `granted: ${granted}` : "the plugin is granted no paths"})`);
  }

  /**
   * Opens the directory that holds the last component of `input`, refusing symbolic links on the
   * way. With `create`, missing directories on the way are made (mode 0700).
   */
  locate(input: unknown, options: { create?: boolean; mkdir?: (at: string) => void } = {}): Located {
    const { grant, path, parts } = this.select(input);
    let dirFd: number;
    try {
      dirFd = openSync(grant.host, O_RDONLY | O_DIRECTORY);
      if (!PROC_FD) fdPaths.set(dirFd, grant.host);
    } catch (error) {
      throw new FsError("ENOENT", `${grant.guest}: the granted directory is not available (${(error as { code?: string }).code ?? "error"})`);
    }
    const name = parts.pop() ?? "";
    let walked = grant.guest === "/" ? "" : grant.guest;
    try {
      for (const part of parts) {
        walked += `/${part}`;
        dirFd = this.#enter(dirFd, part, walked, options);
      }
    } catch (error) {
      closeDir(dirFd);
      throw fsErrorOf(error, walked);
    }
    return { path, dirFd, name, at: name === "" ? fdPath(dirFd) : `${fdPath(dirFd)}/${name}` };
  }

  /** Opens `part` inside dirFd as a directory, never through a link; closes dirFd. */
  #enter(dirFd: number, part: string, walked: string, options: { create?: boolean; mkdir?: (at: string) => void }): number {
    const at = `${fdPath(dirFd)}/${part}`;
    let next: number;
    try {
      next = openDirNoFollow(at, walked);
    } catch (error) {
      if (!(options.create && (error as { code?: string }).code === "ENOENT" && options.mkdir)) throw error;
      try {
        options.mkdir(at);
      } catch (made) {
        if ((made as { code?: string }).code !== "EEXIST") throw made;
      }
      next = openDirNoFollow(at, walked);
    }
    closeDir(dirFd);
    return next;
  }
}

/** A path that names what `fd` refers to (itself, not whatever now sits at its old path). */
export function fdPath(fd: number): string {
  return PROC_FD ? `/proc/self/fd/${fd}` : (fdPaths.get(fd) ?? "/nonexistent");
}

/** Without /proc/self/fd: the path each open directory was opened at (fallback only). */
const fdPaths = new Map<number, string>();

/** Closes a directory opened by locate or openDir. */
export function closeDir(fd: number): void {
  fdPaths.delete(fd);
  closeSync(fd);
}

function openDirNoFollow(at: string, guestPath: string): number {
  try {
    if (!PROC_FD && lstatSync(at).isSymbolicLink()) throw symlinkRefused(guestPath);
    const fd = openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!PROC_FD) fdPaths.set(fd, at);
    return fd;
  } catch (error) {
    if (error instanceof FsError) throw error;
    // Linux answers ENOTDIR (or ELOOP) for a link opened with O_DIRECTORY | O_NOFOLLOW.
    const code = (error as { code?: string }).code;
    if ((code === "ENOTDIR" || code === "ELOOP") && isSymlink(at)) throw symlinkRefused(guestPath);
    throw error;
  }
}

/** lstat of `at`, or undefined when it does not exist. */
export function lstatOrUndefined(at: string): Stats | undefined {
  try {
    return lstatSync(at);
  } catch {
    return undefined;
  }
}

export function isSymlink(at: string): boolean {
  return lstatOrUndefined(at)?.isSymbolicLink() ?? false;
}

/**
 * Opens the file named by `located` with O_NOFOLLOW (a link there is refused); `flags` are the
 * usual open flags. The caller checks what was opened (fs-host.ts accepts regular files only).
 */
export function openNoFollow(located: Located, flags: number, mode = 0o600): number {
  if (located.name === "") throw new FsError("EISDIR", `${located.path} is a granted directory, not a file`);
  try {
    return openSync(located.at, flags | O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as { code?: string }).code === "ELOOP" || isSymlink(located.at)) throw symlinkRefused(located.path);
    throw fsErrorOf(error, located.path);
  }
}

/** Opens the directory named by `located` (never through a link); close it with closeDir. */
export function openDir(located: Located): number {
  if (located.name === "") throw new FsError("EINVAL", `${located.path} is the located directory itself`);
  return openDirNoFollow(located.at, located.path);
}

/** Closes the directory a `locate` opened. */
export function release(located: Located): void {
  closeDir(located.dirFd);
}

/** fstat that reports as the guest path. */
export function statFd(fd: number, path: string): Stats {
  try {
    return fstatSync(fd);
  } catch (error) {
    throw fsErrorOf(error, path);
  }
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
