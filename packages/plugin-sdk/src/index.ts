export { definePlugin, isPluginDefinition, type PluginDefinition } from "./define-plugin.js";
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
export { createServiceRef, serviceIdOf, type ServiceRef } from "./service-ref.js";
export {
  approvalsRef,
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  type ApprovalsService,
  type ApprovalRequest,
  type ApprovalDecision,
  type ApprovalAnswer,
  type PendingApproval,
} from "./approvals.js";
export { toolsRef, type ToolsService, type ToolDefinition, type ToolInfo, type ToolCallContext } from "./tools.js";
export {
  agentRef,
  DEFAULT_MAX_ITERATIONS,
  type AgentService,
  type AgentTurnInput,
  type AgentTurnEvent,
  type ContextPlacement,
  type ContextBlock,
  type ContextRequest,
  type ContextContributor,
  type BeforeCompactionHook,
} from "./agent.js";
export { eventChannel, type EventChannelOptions } from "./event-channel.js";
export { importSibling } from "./import-sibling.js";
export {
  providersRef,
  protocolsRef,
  modelError,
  THINKING_LEVELS,
  DEFAULT_MAX_TOKENS,
  type ThinkingLevel,
  type ModelToolCall,
  type ModelThinking,
  type ModelMessage,
  type ModelTool,
  type SystemBlock,
  type ModelRequest,
  type ModelUsage,
  type StopReason,
  type ModelResponse,
  type ModelStreamEvent,
  type ModelErrorKind,
  type ModelErrorInfo,
  type ModelCallOptions,
  type ProviderInfo,
  type ProviderTestResult,
  type EmbedOptions,
  type EmbedResult,
  type ProvidersService,
  type ProtocolInfo,
  type ProtocolsService,
  type ProtocolValidation,
} from "./providers.js";
export {
  identityRef,
  type IdentityService,
  type IdentityQuery,
  type IdentityResolution,
  type IdentityLayerName,
  type IdentityLayerReport,
  type IdentityIssue,
  type ResolvedValue,
  type ResolvedSection,
  type SoulSource,
  type SoulScalar,
  type SoulValue,
} from "./identity.js";
export {
  workspaceRef,
  agentWorkspaceDir,
  type WorkspaceService,
  type AgentDeclaration,
  type BootstrapContextInfo,
  type BootstrapFileInfo,
} from "./workspace.js";
export {
  memoryRef,
  embeddingsRef,
  type MemoryService,
  type EmbeddingsService,
  type Fact,
  type FactInput,
  type FactFilter,
  type MemorySearchHit,
  type MemoryStats,
  type GraphNodeView,
  type GraphEdgeView,
  type GraphEdgeInput,
  type MemoryAbout,
  type CuratedFileName,
  type CuratedEdit,
  type CuratedView,
  type ReindexProgress,
} from "./memory.js";
export {
  skillsRef,
  type SkillsService,
  type SkillSource,
  type SkillStatus,
  type SkillIssue,
  type SkillRequirements,
  type SkillInfo,
  type SkillDetail,
  type SkillMatch,
  type SkillMetrics,
  type SkillsStats,
  type SkillSuggestion,
  type SuggestionStatus,
  type SkillCheckReport,
} from "./skills.js";
export {
  chatRef,
  type ChatService,
  type ChatMessage,
  type ChatStatus,
  type ChatSummary,
  type ChatPostInput,
  type ChatReadOptions,
  type ChatReadResult,
  type ChatUnreadResult,
  type ChatTornLine,
  DEFAULT_CHAT_READ_LIMIT,
  MAX_CHAT_READ_LIMIT,
} from "./chat.js";
export {
  sessionsRef,
  subagentsRef,
  tokenCounterRef,
  estimateTokens,
  SESSION_ROLES,
  DEFAULT_HISTORY_LIMIT,
  MAX_HISTORY_LIMIT,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  MAX_APPEND_BATCH,
  type SessionsService,
  type SessionRole,
  type SessionMessageInput,
  type SessionMessage,
  type SessionInfo,
  type SessionAppendResult,
  type SessionHistoryOptions,
  type SessionListFilter,
  type SessionCompactOptions,
  type SessionCompactResult,
  type SessionImportOptions,
  type TokenCounter,
  type SubagentsService,
  type SubagentInfo,
  type SubagentHandle,
} from "./sessions.js";
export { toJsonText, parseJsonText, type JsonTextOptions } from "./json-value.js";
export { optionsOf } from "./options.js";
export { cosineSimilarity } from "./vectors.js";
export type { PluginContext, PluginEvents, PluginServices, PluginPaths, Logger, WatchHandler, WatchOptions, WatchHandle, ConfigFileName, ConfigValueOptions } from "./context.js";
export { CONTRIBUTION_KEY_PATTERN, CONTRIBUTION_KEY_RULE, type PluginContribution, type PluginDirectory } from "./contributions.js";
export type {
  AlephEvents,
  AlephEventName,
  EventPayload,
  EventHandler,
  UnloadReason,
  ConfigIssue,
  SkillFileEvent,
} from "./events.js";
export {
  MANIFEST_FILE_NAMES,
  PLUGIN_API_VERSION,
  type PluginManifest,
  type PluginKind,
  type PluginSource,
  type PluginStatus,
  type PluginInfo,
  type ManifestHook,
  type ManifestTool,
} from "./manifest.js";
export { DisposableStore, toDisposable, type Disposable } from "./disposable.js";
export { AlephError, isAlephError, errorMessage, type AlephErrorCode, type KnownAlephErrorCode, type AlephErrorOptions } from "./errors.js";
export { isNativeModuleLoadError, nativeModuleError } from "./native-module.js";
// Diagnostics shared by the kernel, the CLI and plugins: secrets scrubbed from text, errors as JSON,
// the line of a TOML key, where a syntax error is, a promise raced against a timer.
export { SecretRedactor, redactFields, redactError, collectSecrets, SECRET_KEY_PATTERN, REDACTED } from "./redact.js";
export { serializeError, serializeErrors, isSerializedError } from "./error-fields.js";
export { locateTomlKey, splitKey } from "./toml-locate.js";
export { locateSyntaxError, excerptOf, type SourceLocation } from "./syntax-location.js";
export { withTimeout, TimeoutError } from "./timeout.js";
export { validateId, explainInvalidId, PLUGIN_ID_PATTERN, PLUGIN_ID_RULE, SAFE_ID_PATTERN, type IdRule } from "./ids.js";
export { formatSessionKey, parseSessionKey, tryParseSessionKey, sessionKeyPrefix, subagentPrefix, sessionKeyRange, sessionKeyLikePattern, escapeSessionKeyPart, unescapeSessionKeyPart, SESSION_KEY_MAX_LENGTH, SESSION_CHANNEL_PATTERN, RESERVED_SESSION_CHANNELS, type SessionKey, type SessionKeyKind } from "./session-key.js";
export { writeFileAtomic, writeFileAtomicSync, fsyncDirSync, type AtomicWriteOptions } from "./atomic-write.js";
export { compareStrings } from "./compare.js";
export { mkdirPrivate, mkdirPrivateSync, makePrivateSync, PRIVATE_FILE_MODE, PRIVATE_DIR_MODE, GROUP_OTHER_BITS } from "./private-fs.js";
export {
  readKey,
  readKeySync,
  writeKey,
  listKeys,
  removeKey,
  keyInfo,
  keyFile,
  sealValue,
  ensureVaultDir,
  VAULT_PASSPHRASE_ENV,
  VAULT_FORMAT_VERSION,
  VAULT_KDF_DEFAULTS,
  VAULT_KDF_TEST_COST_ENV,
  vaultKdfForNewKeys,
  type KeyInfo,
} from "./vault.js";
export { appendJsonLine, readJsonLines, type AppendJsonLineOptions, type JsonLinesRead } from "./jsonl.js";
export { audit, audited, auditFile, readAudit, type AuditRecord } from "./audit.js";
export { table, json, plural } from "./command-output.js";
export { progressBar, type ProgressBar, type ProgressBarOptions } from "./progress.js";
export type { DoctorFinding, DoctorInput, DoctorHandler } from "./doctor.js";
export { messageContent, readTextInput, printable, contentText, timeText } from "./message-text.js";
export {
  validateWithSchema,
  issuePath,
  type StandardSchemaV1,
  type StandardIssue,
  type StandardResult,
  type InferOutput,
} from "./schema.js";
export { z } from "zod";
export {
  channelsRef,
  channelStatusOf,
  type ChannelsService,
  type ChannelAdapter,
  type ChannelMessage,
  type ChannelPeer,
  type ChannelChatKind,
  type ChannelReceipt,
  type ChannelState,
  type ChannelStatus,
  type ChannelRouting,
  type PendingPairing,
  type PairedPeer,
} from "./channels.js";
export { channelRoutingShape } from "./channel-routing.js";
export { channelSessionKey, channelChatId, chatIdForSessionKey, encodeChatIdPart, checkChannelName } from "./conversation-ids.js";
export { conversationTurn, type ConversationTurnInput, type ConversationServices } from "./conversation-turn.js";
