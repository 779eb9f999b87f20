export { Kernel, createKernel, ConfigInvalidError, type KernelOptions, type KernelStatus } from "./kernel.js";
export { resolvePaths, resolveStateRoot, pluginSearchPaths, SOURCE_PRECEDENCE, type AlephPaths, type PluginSearchPath, type StateRootOrigin } from "./paths.js";
export {
  loadConfig,
  vaultOptions,
  formatIssue,
  parseToml,
  changedSections,
  type ConfigSnapshot,
  type ConfigFiles,
  type ConfigResult,
  type LoadConfigOptions,
} from "./config-loader.js";
export { configFileSchema, providersFileSchema, KERNEL_SECTIONS, type KernelConfig, type ProvidersConfig } from "./config-schema.js";
export type { PluginInfo } from "@aleph/plugin-sdk";
export { EventBus } from "./event-bus.js";
export { discoverPlugins, manifestDigest, scanPlugins, type BundledPlugin, type InlinePlugin, type PrevalidatedPlugin, type PluginCandidate, type DiscoveryResult } from "./discovery.js";
export { assessPlugins, assessmentRows, type Assessment, type Verdict, type DisabledBy, type ExtensionSettings } from "./assessment.js";
export { ServiceRegistry, type ServiceInfo, type ServiceProvider } from "./service-registry.js";
export { PluginHost } from "./plugin-host.js";
export type { PluginLoader, LoadedCode, LoadOptions, LoadableCandidate } from "./plugin-loader.js";
export { loadableCandidate } from "./entry.js";
export { scopedPluginIds, type LoadScope } from "./load-scope.js";
export { ownerRow } from "./plugin-info.js";
export { acquireLock, assertInheritedLock, lockHolder, LOCK_FILE, type LockHolder, type HeldLock } from "./lock.js";
export { readQuarantine, writeQuarantine, recordCrash, liftQuarantine, quarantineOf, fingerprintOf, QUARANTINE_FILE, type QuarantineState, type QuarantineEntry, type CrashBlame, type PluginFiles } from "./quarantine.js";
export { runAsPlugin, currentPlugin } from "./plugin-activity.js";
export { watchFaults, blameFault, stackFiles, type FaultTarget, type FaultKind } from "./fault-handlers.js";
export { parseLogLevels, levelFor, type LogLevel, type LogLevelSpec } from "./log-levels.js";
export { createLogSystem, formatHumanLine, type LogSystem } from "./logger.js";
export { readConfigSchemaData, dataSectionIssues, schemaKeys, type ConfigSchemaData, type SchemaKey } from "./config-schema-data.js";
export { pluginSectionIssues, sectionOf, sectionSource, PROVIDERS_FILE_SECTION, type PluginSectionIssue, type SectionSource } from "./plugin-config.js";
export { stringify as stringifyToml } from "smol-toml";
export { SupervisedKernel } from "./supervised-kernel.js";
export * from "./supervision-protocol.js";
