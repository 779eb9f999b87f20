import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { AlephError, type ToolCallContext } from "@aleph/plugin-sdk";
import { LIST_MAX_ENTRIES } from "../limits.js";
import type { FsToolsEnv } from "../tool-env.js";

/*
 * list_dir: a folder's entries by name, each a file, dir or link (not followed: where a link
 * leads may be outside what the agent may see), with the size of files.
 */

export interface ListDirEntry {
  name: string;
  type: "file" | "dir" | "link" | "other";
  /** Bytes, for files. */
  size?: number;
}

export async function listDir(env: FsToolsEnv, args: { path?: string }, context: ToolCallContext): Promise<{ path: string; entries: ListDirEntry[]; truncated: boolean }> {
  const target = await env.guardFor(context).resolve(args.path ?? ".");
  if (!target.exists) throw new AlephError("ALEPH_E_NOT_FOUND", `${target.display} does not exist`, { fix: "list its parent folder to see what is there" });
  if (!(await stat(target.real)).isDirectory()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is a file, not a folder`, { fix: "use read_file to read it" });
  const names = (await readdir(target.real)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: ListDirEntry[] = [];
  for (const name of names.slice(0, LIST_MAX_ENTRIES)) {
    context.signal?.throwIfAborted();
    const info = await lstat(join(target.real, name)).catch(() => undefined);
    if (!info) continue; // removed while listing
    const type = info.isSymbolicLink() ? "link" : info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
    entries.push(type === "file" ? { name, type, size: info.size } : { name, type });
  }
  return { path: target.display, entries, truncated: names.length > LIST_MAX_ENTRIES };
}
