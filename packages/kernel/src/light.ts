/*
 * `@aleph/kernel/light`: paths and plugin directories, without the kernel's validation and
 * logging stack (zod, pino, chokidar), for start-up paths that must stay fast (`aleph --help`).
 */
export { resolvePaths, resolveStateRoot, pluginSearchPaths, SOURCE_PRECEDENCE, type AlephPaths, type PluginSearchPath, type StateRootOrigin } from "./paths.js";
export { manifestFileIn, pluginDirsIn } from "./plugin-dirs.js";
/** Who holds the root's lock (is a kernel running?), without the kernel. */
export { lockHolder, isAlive } from "./lock-holder.js";
/** TOML parsing without the kernel's error locating (the command index skips a manifest that does not parse). */
export { parse as parseTomlText } from "smol-toml";
/** The root's lock and quarantine, for `aleph start`'s supervisor (which loads no more than it needs). */
export { acquireLock, type HeldLock } from "./lock.js";
export { readQuarantine, writeQuarantine, recordCrash, liftQuarantine, quarantineOf, fingerprintOf, QUARANTINE_FILE, type QuarantineState, type QuarantineEntry, type CrashBlame, type PluginFiles } from "./quarantine.js";
export * from "./supervision-protocol.js";
