import { lstat, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AlephError, mkdirPrivate } from "@aleph/plugin-sdk";
import { agentDir, ARCHIVE_DIR, type AgentRef } from "./agent-id.js";

export interface ArchiveResult {
  agentId: string;
  /** Where the agent's directory was. */
  from: string;
  /** agents/.archive/<id>-<timestamp>[-<n>]. */
  to: string;
}

/** Tries before giving up on finding a free archive name (only reached if archives collide within a millisecond). */
const MAX_SUFFIX = 100;

async function requireAgentDir(ref: AgentRef): Promise<string> {
  const dir = agentDir(ref); // validates the id
  try {
    await lstat(dir);
    return dir;
  } catch {
    throw new AlephError("ALEPH_E_USAGE", `agent "${ref.agentId}" does not exist (no ${dir})`, {
      file: dir,
      fix: "check the id against the directories under agents/",
    });
  }
}

/** 2025-01-02T03-04-05-678Z: sorts by time, and is a valid file name everywhere (no ":"). */
export function archiveStamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

/**
 * Moves `agents/<id>` to `agents/.archive/<id>-<timestamp>/`. Nothing is deleted: the agent's
 * sessions, state and workspace are all in the archive, and moving it back restores the agent.
 * A workspace configured outside agents/<id> is not moved; it is the user's directory.
 *
 * rename() onto an existing non-empty directory fails and onto a file fails, so the only thing
 * a race could replace is an empty directory; every taken name is skipped with a numeric suffix.
 */
export async function archiveAgent(ref: AgentRef & { now?: Date }): Promise<ArchiveResult> {
  const from = await requireAgentDir(ref);
  const archiveDir = join(dirname(from), ARCHIVE_DIR);
  await mkdirPrivate(archiveDir);
  const base = `${ref.agentId}-${archiveStamp(ref.now ?? new Date())}`;
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const to = join(archiveDir, n === 1 ? base : `${base}-${n}`);
    try {
      await lstat(to);
      continue; // taken
    } catch {
      // free
    }
    try {
      await rename(from, to);
      return { agentId: ref.agentId, from, to };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTEMPTY" || code === "EISDIR" || code === "ENOTDIR") continue;
      throw new AlephError("ALEPH_E_PERMISSION", `cannot archive agent "${ref.agentId}": ${(error as Error).message}`, {
        file: from,
        fix: code === "EXDEV" ? "agents/.archive must be on the same filesystem as the agent's directory" : "check the permissions of agents/ and agents/.archive/",
        cause: error,
      });
    }
  }
  throw new AlephError("ALEPH_E_PERMISSION", `cannot find a free archive name for agent "${ref.agentId}" in ${archiveDir}`, {
    file: archiveDir,
    fix: "retry in a moment",
  });
}

/**
 * Deletes `agents/<id>` and everything in it. The CLI calls this only with an explicit --purge
 * flag; everything else archives. A symlinked agent directory loses the link, not its target.
 * A workspace configured outside agents/<id> is not touched.
 */
export async function purgeAgent(ref: AgentRef): Promise<{ agentId: string; removed: string }> {
  const dir = await requireAgentDir(ref);
  await rm(dir, { recursive: true, force: false });
  return { agentId: ref.agentId, removed: dir };
}
