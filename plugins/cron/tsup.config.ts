import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a small entry (the cron
// service and the config), dist/runtime.js (the scheduler and the runs, which import croner)
// imported only when a job is configured, and dist/commands.js (`aleph cron list|runs|run-now`).
// croner stays a package of its own (a dependency): runtime.js loads it, and the config check when
// a job is configured.
export default defineConfig(bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true }));
