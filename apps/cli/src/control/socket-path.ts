import { createHash } from "node:crypto";
import { lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";

/** Unix socket paths longer than this fail to bind on Linux (108 bytes with the terminator) and macOS (104). */
const MAX_SOCKET_PATH = 100;

/**
 * The directory for control sockets whose preferred path is too long: `$XDG_RUNTIME_DIR/aleph`
 * when set, else `<tmp>/aleph-<uid>`. It is created 0700 and must belong to this user and be a
 * real directory: in a shared /tmp another user could create the name first and squat (or
 * listen on) our socket path.
 */
export function privateSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  const dir = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "aleph") : join(tmpdir(), `aleph-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = lstatSync(dir);
  const problem = !stat.isDirectory()
    ? "is not a directory (a symlink or a file)"
    : stat.uid !== uid
      ? `belongs to uid ${stat.uid}, not to you (uid ${uid})`
      : (stat.mode & 0o077) !== 0
        ? `is open to other users (mode ${(stat.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) {
    throw new AlephError("ALEPH_E_UNSAFE_PATH", `the control socket directory ${dir} ${problem}`, {
      file: dir,
      fix: `remove ${dir} if it is yours (or chmod 700 it), or use a shorter state root so the socket fits in run/`,
    });
  }
  return dir;
}

/** The control socket of a root: run/control.sock, or a short path in the private socket directory when that is too long. */
export function controlSocketPath(runDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const preferred = join(runDir, "control.sock");
  if (Buffer.byteLength(preferred) < MAX_SOCKET_PATH) return preferred;
  return join(privateSocketDir(env), `${createHash("sha256").update(runDir).digest("hex").slice(0, 16)}.sock`);
}
