import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { AlephError, writeFileAtomic } from "@aleph/plugin-sdk";
import type { GuardedPath } from "../paths/guard.js";

/*
 * Writing a file for write_file and edit_file: atomically (readers see the old text or the new),
 * keeping the mode of the file replaced (a script stays executable), 0644 for a new one — these
 * are the user's files, not Aleph's private state (whose default is 0600).
 */

const NEW_FILE_MODE = 0o644;

/** Writes `content` to a guarded path, creating its missing parent folders; returns the bytes written. */
export async function writeGuarded(target: GuardedPath, content: string): Promise<number> {
  const existing = await stat(target.real).catch(() => undefined);
  if (existing?.isDirectory()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is a folder`, { fix: "give the path of a file inside it" });
  if (existing && !existing.isFile()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is not a regular file`, { fix: "write regular files only" });
  // The guard resolved the nearest existing ancestor inside the allowed folders; what is missing
  // below it is plain names (no "..", no links), so creating it stays inside.
  await mkdir(dirname(target.real), { recursive: true });
  const data = Buffer.from(content, "utf8");
  await writeFileAtomic(target.real, data, { mode: existing ? existing.mode & 0o7777 : NEW_FILE_MODE });
  return data.length;
}
