import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// Two entries: the registry (dist/index.js) and `aleph interfaces …`'s handlers alone (dist/commands.js).
export default defineConfig(bundledPluginConfig([], { commandsEntry: true }));
