import type { KernelStatusView, PluginContext, PluginInfo } from "@aleph/plugin-sdk";

/* The kernel as `aleph status` shows it (ctx.plugins.status(): plugins with their failures, services; redacted). */

export function kernelStatus(ctx: PluginContext<unknown>): KernelStatusView {
  return ctx.plugins.status();
}

type PluginCounts = ReturnType<typeof pluginCounts>;

/**
 * The plugin counts `status` answers, kept until a plugin loads, unloads or fails or the config
 * changes: the kernel's full status (every plugin, every service, scrubbed of secrets) costs far
 * more than the round trip itself, and `status` is what clients poll.
 */
export function cachedPluginCounts(ctx: PluginContext<unknown>): () => PluginCounts {
  let counts: PluginCounts | undefined;
  const forget = () => void (counts = undefined);
  for (const event of ["plugin.loaded", "plugin.unloaded", "plugin.failed", "config.changed"]) ctx.events.on(event, forget);
  return () => (counts ??= pluginCounts(kernelStatus(ctx).plugins));
}

/** How many plugins are in each state (the copies of an id that failed while another runs instead are not counted). */
export function pluginCounts(plugins: readonly PluginInfo[]): { active: number; failed: number; disabled: number; overridden: number; total: number } {
  const counts = { active: 0, failed: 0, disabled: 0, overridden: 0, total: 0 };
  for (const plugin of plugins) {
    if (plugin.runningInstead) continue;
    counts.total++;
    if (plugin.status === "active") counts.active++;
    else if (plugin.status === "failed") counts.failed++;
    else if (plugin.status === "disabled") counts.disabled++;
    else if (plugin.status === "overridden") counts.overridden++;
  }
  return counts;
}
