import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a small entry that
// registers the cached tools and provides the mcp service, dist/runtime.js (the connections, which
// import @modelcontextprotocol/sdk) imported only when a server is configured, and
// dist/commands.js (`aleph mcp list|tools`). The MCP SDK stays a package of its own (a dependency):
// it is loaded by runtime.js alone.
export default defineConfig(bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true }));
