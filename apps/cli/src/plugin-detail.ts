import type { PluginInfo } from "@aleph/plugin-sdk";

/** One line about a listed plugin: why it failed (and which copy runs instead), who overrides it, or its path. */
export function pluginDetail(p: PluginInfo): string {
  if (p.error) return `${p.error.code}: ${p.error.message}${p.runningInstead ? ` (running the ${p.runningInstead.source} copy instead: ${p.runningInstead.path})` : ""}`;
  return p.overriddenBy ? `overridden by ${p.overriddenBy.source} ${p.overriddenBy.path}` : p.path;
}
