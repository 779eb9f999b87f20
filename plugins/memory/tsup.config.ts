import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts); LanceDB, apache-arrow and
// better-sqlite3 stay packages of their own (native code), imported by the runtime entry on first use.
export default defineConfig({ ...bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true }), external: ["@aleph/zod", "@lancedb/lancedb", "apache-arrow", "better-sqlite3"] });
