import { channelsRef, workspaceRef, type PluginContext } from "@aleph/plugin-sdk";
import { method, type MethodTable } from "../rpc/dispatch.js";
import { cachedPluginCounts, kernelStatus } from "./kernel-view.js";

/* status, plugins.list, agents.list: what runs in this kernel. */

export interface KernelMethodDeps {
  ctx: PluginContext<unknown>;
  /** Connections open now. */
  connections: () => number;
}

export function kernelMethods({ ctx, connections }: KernelMethodDeps): MethodTable {
  const pluginCounts = cachedPluginCounts(ctx);
  // The kernel's clock, read once: status answers its start and uptime without the plugin list.
  const { pid, startedAt, root } = kernelStatus(ctx);
  const startedMs = Date.parse(startedAt);
  return {
    status: method({
      run: () => {
        return {
          // The gateway's version (its protocol is docs/gateway.md at this version).
          version: ctx.version,
          pid,
          startedAt,
          uptimeMs: Date.now() - startedMs,
          root,
          plugins: pluginCounts(),
          channels: ctx.services.getOptional(channelsRef)?.list() ?? [],
          connections: connections(),
        };
      },
    }),

    "plugins.list": method({
      run: () => kernelStatus(ctx).plugins,
    }),

    "agents.list": method({
      run: () => {
        const workspace = ctx.services.getOptional(workspaceRef);
        // Without the workspace plugin the one agent is the default one.
        if (!workspace) return [{ id: "main", default: true }];
        return workspace.agents().map((agent) => ({ id: agent.id, default: agent.id === "main" }));
      },
    }),
  };
}
