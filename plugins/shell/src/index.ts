import { join } from "node:path";
import { approvalsRef, definePlugin, importSibling, toolsRef, agentWorkspaceDir } from "@aleph/plugin-sdk";
import { shellConfigSchema, type ShellConfig } from "./config.js";
import type { ShellTool } from "./shell-tool.js";
import { SHELL_TOOL_SPEC, type ShellArgs } from "./tool-spec.js";

/*
 * The shell plugin's entry, imported at every start: it registers the `shell` tool with the tools
 * service. Its code (the approval policy, the process runner) is in dist/runtime.js, imported on
 * the first call. Each call acts for the calling agent, in its workspace, under its approval rules.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export default definePlugin({
  // The [tools.shell] section of config.toml.
  config: shellConfigSchema,

  setup(ctx) {
    const tools = ctx.services.getOptional(toolsRef);
    if (!tools) return; // nobody to offer the tool to
    if (process.platform === "win32") {
      ctx.log.warn("the shell tool needs /bin/sh and POSIX process groups; it is not offered on Windows");
      return;
    }

    let config: ShellConfig = ctx.config;
    ctx.onConfigChange((next) => {
      config = next; // read on each call: a new rule applies from the next one
    });
    const workspaceOf = (agentId: string) => agentWorkspaceDir(ctx, agentId);

    let shell: Promise<ShellTool> | undefined;
    const loaded = () =>
      (shell ??= runtimeModule().then((runtime) =>
        runtime.createShellTool({
          root: ctx.paths.root,
          actor: ctx.id,
          approvedFile: join(ctx.paths.data, "approved.json"),
          config: () => config,
          workspaceOf,
          approvals: () => ctx.services.getOptional(approvalsRef),
          redact: (text) => ctx.redact(text),
          warn: (message) => ctx.log.warn(message),
        }),
      ));

    const registration = tools.register({ ...SHELL_TOOL_SPEC, handler: async (args: ShellArgs, context) => (await loaded()).call(args, context) }, ctx.id);
    ctx.onDispose(() => registration.dispose());
  },
});
