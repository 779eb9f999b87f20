import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a tiny entry that registers
// the channel, and dist/runtime.js (the gateway, REST, message mapping), imported when the channel
// starts. @discordjs/core, /ws and /rest stay packages of their own (dependencies), loaded by
// runtime.js alone.
export default defineConfig(bundledPluginConfig([], { runtimeEntry: true }));
