import { definePlugin, importSibling, toolsRef, agentWorkspaceDir } from "@aleph/plugin-sdk";
import { fsToolsConfigSchema, type FsToolsConfig } from "./config.js";
import { FS_TOOL_SPECS } from "./tool-specs.js";
import type { FsToolsEnv } from "./tool-env.js";

/*
 * The fs-tools plugin's entry, imported at every start: it registers the six file tools with the
 * tools service. Their code (the path guard, glob, the walk) is in dist/runtime.js, imported on the
 * first call. Each call acts for the calling agent, inside its workspace and the granted roots.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export default definePlugin({
  // The [tools.fs] section of config.toml.
  config: fsToolsConfigSchema,

  setup(ctx) {
    const tools = ctx.services.getOptional(toolsRef);
    if (!tools) return; // nobody to offer the tools to

    let config: FsToolsConfig = ctx.config;
    ctx.onConfigChange((next) => {
      config = next; // read on each call: a granted root applies from the next one
    });
    const workspaceOf = (agentId: string) => agentWorkspaceDir(ctx, agentId);

    let env: Promise<{ env: FsToolsEnv; handlers: Awaited<ReturnType<typeof runtimeModule>>["FS_TOOL_HANDLERS"] }> | undefined;
    const loaded = () =>
      (env ??= runtimeModule().then((runtime) => ({
        env: runtime.createFsToolsEnv({ root: ctx.paths.root, actor: ctx.id, workspaceOf, roots: () => config.roots, maxReadBytes: () => config.max_read_bytes }),
        handlers: runtime.FS_TOOL_HANDLERS,
      })));

    for (const spec of FS_TOOL_SPECS) {
      const registration = tools.register(
        {
          ...spec,
          handler: async (args, context) => {
            const { env, handlers } = await loaded();
            return handlers[spec.name](env, args, context);
          },
        },
        ctx.id,
      );
      ctx.onDispose(() => registration.dispose());
    }
  },
});
