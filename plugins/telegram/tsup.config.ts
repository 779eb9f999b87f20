import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a small entry that
// registers the channel, and dist/runtime.js (the adapter, the polling loop; it imports grammY,
// a dependency of its own, not bundled) imported only when [interfaces.telegram] is configured.
export default defineConfig(bundledPluginConfig([], { runtimeEntry: true }));
