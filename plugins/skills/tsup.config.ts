import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts). yaml (parsing a changed
// SKILL.md) and better-sqlite3 (evolution.db) stay packages of their own, imported on first use.
export default defineConfig({ ...bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true }), external: ["@aleph/zod", "yaml", "better-sqlite3"] });
