import { definePlugin } from "@aleph/plugin-sdk";
import { mcpConfigSchema } from "./config.js";
import { McpHost } from "./host.js";
import { mcpRef } from "./service.js";

/*
 * The MCP client plugin's entry, imported at every kernel start: it provides the `mcp` service,
 * registers the tools the configured servers had last time (the tools cache), and starts the
 * servers in the background — setup never waits for one. Without [[mcp.servers]] it does nothing
 * else, and the MCP SDK is never loaded.
 */
export default definePlugin({
  // The [mcp] section of config.toml: its [[mcp.servers]].
  config: mcpConfigSchema,

  async setup(ctx) {
    const host = new McpHost(ctx);
    ctx.services.provide(mcpRef, host.service);
    // Teardowns run last-in-first-out: the servers stop (below) before their tools leave the registry.
    ctx.onDispose(() => host.shelf.clear());
    await host.start();
    ctx.onConfigChange((next) => host.apply(next));
    ctx.onReady(() => host.kernelReady());
    ctx.onDispose(() => host.stop());
  },
});
