import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a small entry that
// registers the tools, and dist/runtime.js (the working code) imported on the first call.
export default defineConfig(bundledPluginConfig([], { runtimeEntry: true }));
