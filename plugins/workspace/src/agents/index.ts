// Per-agent workspaces: presets and seeding, archive and purge, validation for `aleph doctor`,
// the bootstrap context for the system prompt, and the path guard for agent-scoped calls.
// Pure file logic: the workspace plugin and the CLI wire it up.

export {
  AGENT_ID_MAX_LENGTH,
  AGENTS_DIR,
  ARCHIVE_DIR,
  DEFAULT_WORKSPACE_DIR,
  RUNTIME_DIRS,
  agentDir,
  agentWorkspaceDir,
  validateAgentId,
  type AgentRef,
} from "./agent-id.js";
export { agentPath, isInside } from "./agent-path.js";
export { PRESETS, PRESET_NAMES, entryPath, getPreset, isDirName, renderTemplate, type PresetEntry, type PresetName, type WorkspacePreset } from "./presets.js";
export { resolveFileSet, type FileSetOverrides, type FileSpec } from "./file-set.js";
export { seedAgent, type SeedAgentOptions, type SeedConflict, type SeedEntry, type SeedResult } from "./seed.js";
export { archiveAgent, archiveStamp, purgeAgent, type ArchiveResult } from "./archive.js";
export { checkAgentWorkspace, type CheckAgentWorkspaceOptions, type WorkspaceProblem, type WorkspaceProblemCode } from "./check.js";
export {
  SUGGESTED_BOOTSTRAP_LIMITS,
  bootstrapContext,
  type BootstrapContext,
  type BootstrapContextOptions,
  type BootstrapFile,
  type BootstrapLimits,
  type BootstrapProvenance,
  type BootstrapStatus,
  type BootstrapTotals,
} from "./bootstrap.js";
export { trimToLimit, truncationMarker, type TrimResult } from "./truncate.js";
export { decodeUtf8, isCommentOnly, isIntentionallyEmpty } from "./text.js";
