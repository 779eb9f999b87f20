// The aleph_fs_* host functions: a WASM plugin's only way to files (docs/plugins.md, "Files").
// Each takes {"path": <absolute guest path>, …} and answers {"ok": true, …} or
// {"ok": false, "error": <message naming the guest path>, "code": <POSIX code>}. Paths are confined
// by FsGrants (fs-grants.ts): never outside a grant, never through a symbolic link.
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, mkdirSync, readdirSync, readSync, rmdirSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { errorMessage, type Logger } from "@aleph/plugin-sdk";
import { closeDir, fdPath, FsError, fsErrorOf, lstatOrUndefined, openDir, openNoFollow, release, type FsGrants, type Located } from "./fs-grants.js";

const { O_RDONLY, O_WRONLY, O_CREAT, O_APPEND, O_NONBLOCK } = constants;

/** The largest read one call answers: larger files are read in parts (offset, length). */
export const FS_READ_MAX_BYTES = 16 * 1024 * 1024;

export const FS_HOST_FUNCTIONS = ["aleph_fs_read", "aleph_fs_write", "aleph_fs_list", "aleph_fs_stat", "aleph_fs_mkdir", "aleph_fs_remove"] as const;
export type FsHostFunction = (typeof FS_HOST_FUNCTIONS)[number];

type Request = Record<string, unknown>;
type Answer = Record<string, unknown>;

function typeOf(stats: Stats): "file" | "dir" | "symlink" | "other" {
  return stats.isFile() ? "file" : stats.isDirectory() ? "dir" : stats.isSymbolicLink() ? "symlink" : "other";
}

function encodingOf(value: unknown): BufferEncoding {
  if (value === undefined || value === null || value === "utf8") return "utf8";
  if (value === "base64") return "base64";
  throw new FsError("EINVAL", `"encoding" must be "utf8" (default) or "base64", not ${JSON.stringify(value)}`);
}

function count(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new FsError("EINVAL", `"${name}" must be a whole number ≥ 0`);
  return value;
}

/** Runs `use` on the located path; the directory it opened is closed whatever happens. */
function at<T>(grants: FsGrants, path: unknown, use: (located: Located) => T, options?: Parameters<FsGrants["locate"]>[1]): T {
  const located = grants.locate(path, options);
  try {
    return use(located);
  } finally {
    release(located);
  }
}

/** Opens a regular file (refusing links, directories, FIFOs and devices), runs `use`, closes it. */
function withFile<T>(located: Located, flags: number, use: (fd: number, stats: Stats) => T): T {
  // O_NONBLOCK: opening a FIFO must not block the kernel's thread; it is refused just below.
  const fd = openNoFollow(located, flags | O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FsError(stats.isDirectory() ? "EISDIR" : "EINVAL", `${located.path} is ${stats.isDirectory() ? "a directory" : "not a regular file"}`);
    return use(fd, stats);
  } finally {
    closeSync(fd);
  }
}

/** Runs `use` on the directory named by `located` (the grant's own, or one below it, never through a link). */
function withDir<T>(located: Located, use: (dir: string) => T): T {
  if (located.name === "") return use(fdPath(located.dirFd));
  const fd = openDir(located);
  try {
    return use(fdPath(fd));
  } finally {
    closeDir(fd);
  }
}

function operations(grants: FsGrants, maxReadBytes: number): Record<FsHostFunction, (request: Request) => Answer> {
  return {
    aleph_fs_read: ({ path, encoding, offset, length }) => {
      const enc = encodingOf(encoding);
      const from = count(offset, "offset") ?? 0;
      const wanted = count(length, "length");
      return at(grants, path, (located) =>
        withFile(located, O_RDONLY, (fd, stats) => {
          const size = stats.size;
          const n = Math.max(0, Math.min(wanted ?? size - from, size - from));
          if (n > maxReadBytes) {
            throw new FsError("EFBIG", `${located.path} is ${size} bytes; one read answers at most ${maxReadBytes}: read it in parts with "offset" and "length"`);
          }
          const buffer = Buffer.alloc(n);
          let done = 0;
          while (done < n) {
            const got = readSync(fd, buffer, done, n - done, from + done);
            if (got === 0) break; // the file shrank meanwhile
            done += got;
          }
          return { ok: true, content: buffer.subarray(0, done).toString(enc), size };
        }),
      );
    },

    aleph_fs_write: ({ path, content, encoding, append }) => {
      const enc = encodingOf(encoding);
      if (typeof content !== "string") throw new FsError("EINVAL", '"content" must be a string (base64 with "encoding": "base64" for bytes)');
      if (append !== undefined && append !== null && typeof append !== "boolean") throw new FsError("EINVAL", '"append" must be true or false');
      const bytes = Buffer.from(content, enc);
      return at(grants, path, (located) =>
        // Truncated only after the link count is checked: a file with another hard link may be the
        // same inode as a file outside the grant (the user's link; the guest cannot make one), and
        // writing it would change that file. Reading it stays possible (documented).
        withFile(located, O_WRONLY | O_CREAT | (append ? O_APPEND : 0), (fd, stats) => {
          if (stats.nlink > 1) throw new FsError("EPERM", `${located.path} has other hard links: writing it would change a file that may lie outside the grant`);
          if (!append) ftruncateSync(fd, 0);
          let done = 0;
          while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
          return { ok: true, bytes: bytes.length };
        }),
      );
    },

    aleph_fs_list: ({ path }) =>
      at(grants, path, (located) =>
        withDir(located, (dir) => {
          const entries = readdirSync(dir)
            .sort()
            .map((name) => {
              const stats = lstatOrUndefined(`${dir}/${name}`);
              return stats ? { name, type: typeOf(stats), size: stats.size } : undefined;
            })
            .filter((e) => e !== undefined);
          return { ok: true, entries };
        }),
      ),

    aleph_fs_stat: ({ path }) =>
      at(grants, path, (located) => {
        let stats: Stats;
        try {
          // A link is reported as one, never followed; the grant's own directory is the open fd
          // (lstat of /proc/self/fd/N would describe the magic link instead).
          stats = located.name === "" ? fstatSync(located.dirFd) : lstatSync(located.at);
        } catch (error) {
          throw fsErrorOf(error, located.path);
        }
        return { ok: true, type: typeOf(stats), size: stats.size, mtime_ms: Math.round(stats.mtimeMs) };
      }),

    aleph_fs_mkdir: ({ path }) =>
      at(
        grants,
        path,
        (located) => {
          if (located.name === "") return { ok: true };
          try {
            mkdirSync(located.at, { mode: 0o700 });
          } catch (error) {
            const existing = lstatOrUndefined(located.at);
            if (!(existing?.isDirectory() && (error as { code?: string }).code === "EEXIST")) throw fsErrorOf(error, located.path);
          }
          return { ok: true };
        },
        { create: true, mkdir: (dir) => mkdirSync(dir, { mode: 0o700 }) },
      ),

    aleph_fs_remove: ({ path }) =>
      at(grants, path, (located) => {
        if (located.name === "") throw new FsError("EPERM", `${located.path} is a granted directory; it cannot be removed`);
        const stats = lstatOrUndefined(located.at);
        if (!stats) throw new FsError("ENOENT", `${located.path}: no such file or directory`);
        try {
          if (stats.isDirectory()) rmdirSync(located.at);
          else unlinkSync(located.at); // a link is removed itself; what it points to is untouched
        } catch (error) {
          throw fsErrorOf(error, located.path);
        }
        return { ok: true };
      }),
  };
}

/**
 * The aleph_fs_* functions as text-in, text-out cores (host-functions.ts stores the answers).
 * Refusals (outside the grants, through a link) are logged as warnings: they are what a plugin
 * probing its sandbox does.
 */
export function fsCores(grants: FsGrants, log: Logger, maxReadBytes = FS_READ_MAX_BYTES): Record<FsHostFunction, (input: string) => string> {
  const ops = operations(grants, maxReadBytes);
  const out = {} as Record<FsHostFunction, (input: string) => string>;
  for (const name of FS_HOST_FUNCTIONS) {
    out[name] = (input) => {
      let request: Request;
      try {
        const parsed = JSON.parse(input) as unknown;
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("input is not a JSON object");
        request = parsed as Request;
      } catch (error) {
        return JSON.stringify({ ok: false, error: `malformed input: ${errorMessage(error)}; expected {"path": "/granted/dir/file", …}`, code: "EINVAL" });
      }
      try {
        return JSON.stringify(ops[name](request));
      } catch (error) {
        const e = error instanceof FsError ? error : fsErrorOf(error, typeof request.path === "string" ? request.path : "(path)");
        if (e.code === "EACCES" || e.code === "ELOOP") log.warn(`${name} refused`, { path: request.path, code: e.code, error: e.message });
        return JSON.stringify({ ok: false, error: e.message, code: e.code });
      }
    };
  }
  return out;
}
