import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts).
export default defineConfig(bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true }));
