import { join, resolve } from "node:path";
import { validateId } from "@aleph/plugin-sdk";

/**
 * Agent ids become directory names (agents/<id>/, agents/.archive/<id>-<timestamp>/) and parts of
 * file names elsewhere (chat cursors). 64 leaves the archive name far below any filesystem's
 * 255-byte limit. The SDK's pattern requires a letter or digit first, so no agent id can collide
 * with agents/.archive.
 */
export const AGENT_ID_MAX_LENGTH = 64;

/** Returns the id when it is safe as a single path segment, else throws ALEPH_E_INVALID_ID. */
export function validateAgentId(agentId: unknown): string {
  return validateId("agent id", agentId, { maxLength: AGENT_ID_MAX_LENGTH });
}

/** The directory under the state root that holds one directory per agent. */
export const AGENTS_DIR = "agents";

/** Where archived agents go: agents/.archive/<id>-<timestamp>/. */
export const ARCHIVE_DIR = ".archive";

/** The Markdown workspace inside an agent's directory, unless the agent's config points elsewhere. */
export const DEFAULT_WORKSPACE_DIR = "workspace";

/** Runtime artifacts (JSONL/JSON) the system writes per agent: never part of the Markdown workspace. */
export const RUNTIME_DIRS = ["sessions", "state", "prompts", "context"] as const;

export interface AgentRef {
  /** The state root. */
  root: string;
  agentId: string;
}

/** `<root>/agents/<id>`, after validating the id. */
export function agentDir({ root, agentId }: AgentRef): string {
  return join(resolve(root), AGENTS_DIR, validateAgentId(agentId));
}

/**
 * The agent's Markdown workspace: the configured directory (absolute, or relative to the state
 * root like every other path in config.toml) or `<root>/agents/<id>/workspace`.
 */
export function agentWorkspaceDir(ref: AgentRef & { workspaceDir?: string | undefined }): string {
  const dir = agentDir(ref);
  return ref.workspaceDir ? resolve(resolve(ref.root), ref.workspaceDir) : join(dir, DEFAULT_WORKSPACE_DIR);
}
