import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { AlephError, mkdirPrivate } from "@aleph/plugin-sdk";

/*
 * Where a command starts: the agent's workspace, or a folder inside it. The folder asked for is
 * resolved against the workspace and made real (every symbolic link followed) before it is
 * compared with the workspace's real path, so neither `..` nor a link leads out; the command then
 * starts in that real path, the one that was checked. (Where it goes from there is the command's
 * business: this is where it starts, not a sandbox — see the README.)
 */

export interface WorkingDir {
  /** The real path the command starts in. */
  real: string;
  /** As the model named it: relative to the workspace ("." for the workspace itself). */
  display: string;
}

/** Resolves `cwd` (relative to the workspace, or absolute inside it) and refuses it outside the workspace. */
export async function resolveWorkingDir(workspace: string, cwd: string | undefined): Promise<WorkingDir> {
  // A declared agent's workspace may not have been seeded yet; it is the agent's all the same.
  await mkdirPrivate(workspace);
  const realWorkspace = await realpath(workspace);
  const asked = cwd === undefined || cwd.trim() === "" ? "." : cwd;
  if (asked.includes("\0")) throw new AlephError("ALEPH_E_TOOL_ARGS", `the cwd ${JSON.stringify(asked)} contains a NUL byte`, { fix: "give a folder inside your workspace" });

  const lexical = isAbsolute(asked) ? resolve(asked) : resolve(workspace, asked);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    throw new AlephError("ALEPH_E_TOOL_ARGS", `the cwd ${JSON.stringify(asked)} does not exist (in the workspace ${realWorkspace})`, {
      fix: "create the folder first (mkdir), or leave cwd out to start in the workspace",
    });
  }
  if (!isInside(real, realWorkspace)) {
    const through = real !== lexical ? ` (through a symbolic link, it is ${real})` : ` (${real})`;
    throw new AlephError("ALEPH_E_UNSAFE_PATH", `the cwd ${JSON.stringify(asked)} is outside the agent's workspace ${realWorkspace}${through}; a shell command starts in the workspace or a folder inside it`, {
      fix: "give a folder inside the workspace (relative to it), or leave cwd out",
    });
  }
  if (!(await stat(real)).isDirectory()) {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `the cwd ${JSON.stringify(asked)} is a file, not a folder`, { fix: "give the folder the command should start in" });
  }
  const rel = relative(realWorkspace, real);
  return { real, display: rel === "" ? "." : rel.split(sep).join("/") };
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
