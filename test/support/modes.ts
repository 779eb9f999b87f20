/*
 * File modes of a state root, as another local user would meet them: every entry found with lstat
 * (symbolic links are reported as links, never followed).
 */
import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

export interface TreeEntry {
  /** Path relative to the walked root ("" for the root itself). */
  path: string;
  kind: "dir" | "file" | "link" | "other";
  /** Permission bits, e.g. 0o600. */
  mode: number;
}

/** Every entry under `top` (itself included), links listed but not followed. */
export function walkTree(top: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    const kind = stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
    out.push({ path: relative(top, path), kind, mode: stat.mode & 0o777 });
    if (kind === "dir") for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  visit(top);
  return out;
}

/** Entries (not links) that the group or others may read, write or enter, as "path mode" strings. */
export function looseEntries(top: string): string[] {
  return walkTree(top)
    .filter((e) => e.kind !== "link" && (e.mode & 0o077) !== 0)
    .map((e) => `${e.path || "."} ${e.mode.toString(8)}`);
}
