/*
 * `@aleph/plugin-sdk/core`: the part of the SDK that imports nothing heavy (no zod), for code on a
 * hot start-up path — `aleph --help` reads command declarations with it. Everything here is also
 * exported from the main entry.
 */
export { AlephError, isAlephError, errorMessage, type AlephErrorCode, type AlephErrorOptions } from "./errors.js";
export { mkdirPrivateSync, PRIVATE_FILE_MODE, PRIVATE_DIR_MODE } from "./private-fs.js";
export { compareStrings } from "./compare.js";
export { validateId, explainInvalidId, PLUGIN_ID_PATTERN, PLUGIN_ID_RULE, SAFE_ID_PATTERN, type IdRule } from "./ids.js";
export {
  CommandUsageError,
  isCommandUsageError,
  RESERVED_COMMAND_WORDS,
  type CommandDeclaration,
  type CommandArgDeclaration,
  type CommandOptionDeclaration,
  type CommandOptionType,
  type CommandValue,
  type CommandHandler,
  type CommandInput,
  type KernelHandle,
  type KernelEvent,
  type KernelStatusView,
  type ServiceInfoView,
  type ConfigReloadResult,
  type CallOptions,
  type ServiceCaller,
} from "./commands.js";
export { table, json, plural } from "./command-output.js";
export { createServiceRef, serviceIdOf, type ServiceRef } from "./service-ref.js";
// The bundled capabilities' service refs and contracts (none of their modules imports zod), for
// command handlers that must start fast (a plugin's commands_entry).
export { agentRef, type AgentService, type AgentTurnEvent, type AgentTurnInput } from "./agent.js";
export { providersRef, protocolsRef, type ProvidersService, type ProtocolsService, type ProviderInfo, type ProviderTestResult, type ProtocolInfo } from "./providers.js";
export { sessionsRef, type SessionsService, type SessionInfo, type SessionMessage } from "./sessions.js";
export { toolsRef, type ToolsService, type ToolInfo } from "./tools.js";
export { approvalsRef, type ApprovalsService, type PendingApproval, type ApprovalAnswer } from "./approvals.js";
export { chatRef, type ChatService } from "./chat.js";
export { identityRef, type IdentityService } from "./identity.js";
export { workspaceRef, type WorkspaceService } from "./workspace.js";
export { memoryRef, embeddingsRef, type MemoryService, type EmbeddingsService } from "./memory.js";
export { skillsRef, type SkillsService, type SkillInfo } from "./skills.js";
export { channelsRef, type ChannelsService, type ChannelStatus, type PendingPairing, type PairedPeer } from "./channels.js";
export type { PluginDefinition } from "./define-plugin.js";
export type { DoctorFinding, DoctorInput, DoctorHandler } from "./doctor.js";
export { MANIFEST_FILE_NAMES, PLUGIN_API_VERSION, type PluginManifest, type PluginKind, type PluginSource, type PluginStatus, type PluginInfo } from "./manifest.js";
