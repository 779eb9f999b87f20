import { stat } from "node:fs/promises";
import { AlephError, type ToolCallContext } from "@aleph/plugin-sdk";
import { compileGlob } from "../glob/glob.js";
import { GLOB_MAX_RESULTS } from "../limits.js";
import type { FsToolsEnv } from "../tool-env.js";
import { walk } from "../walk.js";

/*
 * glob: the paths under a folder (default the workspace) matching a pattern, relative to that
 * folder, in walk order (by name, depth first); folders end with "/". node_modules and .git are
 * not searched.
 */

export interface GlobArgs {
  pattern: string;
  path?: string;
}

export async function globFiles(env: FsToolsEnv, args: GlobArgs, context: ToolCallContext): Promise<{ path: string; matches: string[]; truncated: boolean }> {
  if (args.pattern.startsWith("/") || args.pattern.split("/").includes("..")) {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `the glob pattern ${JSON.stringify(args.pattern)} is absolute or climbs with ".."`, { fix: "give the folder to search as path, and a pattern relative to it" });
  }
  const matcher = compileGlob(args.pattern);
  const base = await env.guardFor(context).resolve(args.path ?? ".");
  if (!base.exists) throw new AlephError("ALEPH_E_NOT_FOUND", `${base.display} does not exist`, { fix: "give an existing folder as path" });
  if (!(await stat(base.real)).isDirectory()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${base.display} is not a folder`, { fix: "give the folder to search as path" });
  const matches: string[] = [];
  let truncated = false;
  for await (const entry of walk(base.real, { signal: context.signal, onLimit: () => (truncated = true) })) {
    if (!matcher.test(entry.rel)) continue;
    if (matches.length === GLOB_MAX_RESULTS) {
      truncated = true;
      break;
    }
    matches.push(entry.type === "dir" ? `${entry.rel}/` : entry.rel);
  }
  return { path: base.display, matches, truncated };
}
