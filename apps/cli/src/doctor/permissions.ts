import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, readdirSync, realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { GROUP_OTHER_BITS } from "@aleph/plugin-sdk";
import type { DoctorContext, Finding } from "./checks.js";

/*
 * Everything under the state root is private: files 0600, directories 0700. This check walks the
 * root (and the keys and log directories where they live elsewhere) with lstat and reports every
 * entry that lets the group or others in; `--fix` removes those bits and keeps the owner's (an
 * executable in a plugin folder stays executable). Symbolic links are neither followed nor
 * changed: a user plugin folder is often a link to a checkout elsewhere, which is not ours.
 */

/** An entry whose mode lets someone other than its owner in. */
export interface LooseEntry {
  path: string;
  /** Permission bits as found (lower 12 bits). */
  mode: number;
  directory: boolean;
}

/** Past this many loose entries (not secrets), findings are grouped per top-level directory. */
const ONE_FINDING_EACH_UP_TO = 20;

/** Every entry of the tree at `top` (itself included) that group or others may access; links are skipped, not followed. */
export function looseEntries(top: string): LooseEntry[] {
  const found: LooseEntry[] = [];
  const visit = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return; // removed while we walked
    }
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & GROUP_OTHER_BITS) !== 0) found.push({ path, mode: stat.mode & 0o7777, directory: stat.isDirectory() });
    if (!stat.isDirectory()) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return; // unreadable: its own mode is what we can report
    }
    for (const name of names.sort()) visit(join(path, name));
  };
  visit(top);
  return found;
}

/**
 * Removes the group and other bits of one entry without following a link: the entry is opened
 * with O_NOFOLLOW and changed through its descriptor, so a link swapped in after the walk is never
 * followed. Entries that cannot be opened (a socket, no read bit) are changed by path after an
 * lstat. Returns false when the entry could not be changed (it is reported again).
 */
export function tightenEntry(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") return true; // a link now: not ours to change
  }
  try {
    if (fd !== undefined) {
      const mode = fstatSync(fd).mode;
      if ((mode & GROUP_OTHER_BITS) !== 0) fchmodSync(fd, mode & 0o7777 & ~GROUP_OTHER_BITS);
      return true;
    }
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return true;
    if ((stat.mode & GROUP_OTHER_BITS) !== 0) {
      // Sockets and unreadable files: no descriptor to change them through.
      chmodSync(path, stat.mode & 0o7777 & ~GROUP_OTHER_BITS);
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8);
}

function within(parent: string, path: string): boolean {
  return path === parent || path.startsWith(parent + sep);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The trees that must be private: the root, and the keys and log directories when they are elsewhere. */
function privateTrees({ paths }: DoctorContext): string[] {
  const root = realOrSelf(paths.root);
  const trees = [root];
  for (const dir of [paths.credentialsDir, paths.logDir]) {
    const real = realOrSelf(dir);
    if (!trees.some((tree) => within(tree, real))) trees.push(real);
  }
  return trees;
}

function describeOne(entry: LooseEntry, secret: boolean): string {
  if (entry.directory) return `directory open to others (mode ${octal(entry.mode)})${secret ? ": it holds secrets" : ""}`;
  return `readable by others (mode ${octal(entry.mode)})${secret ? ": it holds credentials" : ""}`;
}

function fixFor(path: string): string {
  return `\`aleph doctor --fix\` removes the group and other permissions (or run \`chmod go= ${path}\`)`;
}

function tightenAll(entries: LooseEntry[]): void {
  // Each entry on its own: one that cannot be changed (not ours) is reported again afterwards.
  for (const entry of entries) tightenEntry(entry.path);
}

/** Nothing under the state root may be readable by anyone but its owner; --fix removes group and other bits. */
export function checkPermissions(context: DoctorContext): Finding[] {
  const { paths } = context;
  const trees = privateTrees(context).filter((tree) => {
    try {
      lstatSync(tree);
      return true;
    } catch {
      return false;
    }
  });
  if (trees.length === 0) return [];
  const credentials = realOrSelf(paths.credentialsDir);
  const providers = join(realOrSelf(paths.root), relative(paths.root, paths.providersFile));
  const isSecret = (path: string) => within(credentials, path) || path === providers || path === paths.providersFile;

  const loose = trees.flatMap((tree) => looseEntries(tree).map((entry) => ({ entry, tree })));
  const one = (entry: LooseEntry): Finding => ({
    check: "permissions",
    ok: false,
    message: describeOne(entry, isSecret(entry.path)),
    path: entry.path,
    fix: fixFor(entry.path),
    fixed: `tightened ${entry.path} (mode ${octal(entry.mode)} → ${octal(entry.mode & ~GROUP_OTHER_BITS)})`,
    repair: () => tightenAll([entry]),
  });

  const secrets = loose.filter(({ entry }) => isSecret(entry.path));
  const others = loose.filter(({ entry }) => !isSecret(entry.path));
  const findings = secrets.map(({ entry }) => one(entry));
  if (others.length <= ONE_FINDING_EACH_UP_TO) {
    findings.push(...others.map(({ entry }) => one(entry)));
  } else {
    // Many loose entries (a workspace from before everything was private): one finding per
    // top-level directory, so the report stays readable.
    const groups = new Map<string, LooseEntry[]>();
    for (const { entry, tree } of others) {
      const first = relative(tree, entry.path).split(sep)[0];
      const area = first ? join(tree, first) : tree;
      groups.set(area, [...(groups.get(area) ?? []), entry]);
    }
    for (const [area, entries] of groups) {
      if (entries.length === 1) {
        findings.push(one(entries[0]!));
        continue;
      }
      const example = entries[0]!;
      findings.push({
        check: "permissions",
        ok: false,
        message: `${entries.length} entries open to others (e.g. ${example.path}, mode ${octal(example.mode)})`,
        path: area,
        fix: fixFor(area),
        fixed: `tightened ${entries.length} entries under ${area}`,
        repair: () => tightenAll(entries),
      });
    }
  }
  if (findings.length === 0) {
    findings.push({ check: "permissions", ok: true, message: "every file and directory is private to its owner", path: trees.join(", ") });
  }
  return findings;
}
