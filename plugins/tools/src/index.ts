import { approvalsRef, definePlugin, toolsRef } from "@aleph/plugin-sdk";
import { createApprovals } from "./approvals.js";
import { approvalsApprove, approvalsDeny, approvalsList } from "./commands/approvals.js";
import { toolsCall } from "./commands/tools-call.js";
import { toolsList } from "./commands/tools-list.js";
import { toolsConfigSchema, type ToolsConfig } from "./config.js";
import { createToolRegistry } from "./tool-registry.js";

export default definePlugin({
  config: toolsConfigSchema,

  setup(ctx) {
    ctx.services.provide(toolsRef, createToolRegistry());

    let config: ToolsConfig = ctx.config;
    // Also what keeps a change to a tool plugin's [tools.*] table from reloading the registry (a
    // plugin without a config handler is reloaded when its section changes, and those tables sit in ours).
    ctx.onConfigChange((next) => {
      config = next;
    });
    const approvals = createApprovals({ events: ctx.events, log: ctx.log, timeoutSeconds: () => config.approval_timeout });
    ctx.services.provide(approvalsRef, approvals);
    ctx.onDispose(() => approvals.denyAll("the tools plugin stopped (the kernel is stopping or reloading it)"));
  },
  commands: {
    "tools list": toolsList,
    "tools call": toolsCall,
    "approvals list": approvalsList,
    "approvals approve": approvalsApprove,
    "approvals deny": approvalsDeny,
  },
});
