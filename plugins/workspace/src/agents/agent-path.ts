import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";
import { agentDir, type AgentRef } from "./agent-id.js";
import { explainUnsafeRelative, quoted } from "./relative-path.js";

/** True when `target` is `base` or lies below it (both absolute and normalised). */
export function isInside(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === "" || (!isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${sep}`));
}

function refuse(agentId: string, relativePath: unknown, why: string, base: string): AlephError {
  return new AlephError("ALEPH_E_PERMISSION", `path ${quoted(relativePath)} ${why}: it must stay inside agent "${agentId}"'s directory`, {
    file: base,
    fix: "pass a path relative to the agent's directory, without \"..\", and do not link out of it",
  });
}

/** Symlinks followed before we give up, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * The real path `path` would reach, for a path that may not exist yet: the longest existing
 * prefix is resolved with realpath and the rest appended. A dangling symlink is followed by hand,
 * because writing through it would create its target, wherever that is.
 */
function realpathLoose(path: string, links = 0): string {
  if (links > MAX_LINKS) throw Object.assign(new Error(`too many symbolic links at ${path}`), { code: "ELOOP" });
  try {
    return realpathSync.native(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  const here = join(realpathLoose(parent, links), basename(path));
  let target: string | undefined;
  try {
    if (lstatSync(here).isSymbolicLink()) target = readlinkSync(here);
  } catch {
    // not there at all: nothing to follow
  }
  return target === undefined ? here : realpathLoose(resolve(dirname(here), target), links + 1);
}

/**
 * Resolves `relativePath` inside one agent's tree (`<root>/agents/<id>/`) and refuses anything
 * that would leave it: "..", absolute paths, NUL, and symlinks (existing or dangling) that point
 * outside. A service call scoped to one agent goes through here, so it cannot reach another
 * agent's files. Returns the absolute path (not the realpath: the one the caller asked for).
 *
 * Symlinks that stay inside the tree are allowed, and so is an agent directory that is itself a
 * link (an agent moved to another disk): containment is checked between real paths.
 */
export function agentPath(ref: AgentRef, relativePath: string): string {
  const base = agentDir(ref); // validates the id: ALEPH_E_INVALID_ID
  const problem = explainUnsafeRelative(relativePath);
  if (problem) throw refuse(ref.agentId, relativePath, problem, base);
  const target = resolve(base, relativePath);
  if (!isInside(base, target)) throw refuse(ref.agentId, relativePath, "escapes the agent's directory", base);
  let realBase: string;
  let realTarget: string;
  try {
    realBase = realpathLoose(base);
    realTarget = realpathLoose(target);
  } catch (error) {
    // Fail closed: a path we cannot follow (permissions, a link loop) is a path we cannot vouch for.
    throw refuse(ref.agentId, relativePath, `cannot be verified (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, base);
  }
  if (!isInside(realBase, realTarget)) throw refuse(ref.agentId, relativePath, `leads through a symbolic link to ${realTarget}`, base);
  return target;
}
