/*
 * `@aleph/kernel/discovery`: finding and validating plugins (search paths, manifests, entries)
 * without the kernel's logger, watcher and host — what a CLI command needs to locate its plugin's
 * code when it talks to a running kernel over the control socket.
 */
export { discoverPlugins, type PluginCandidate, type DiscoveryResult } from "./discovery.js";
export { loadableCandidate } from "./entry.js";
export { pluginSearchPaths, resolvePaths, type AlephPaths } from "./paths.js";
