import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts). The SSE parser is inlined
// (a few KB); the YAML parser stays a dependency, imported only when a protocols/*.yaml file exists.
export default defineConfig(bundledPluginConfig(["eventsource-parser"], { commandsEntry: true, runtimeEntry: true }));
