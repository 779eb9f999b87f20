import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts), also inlining the JSON Schema validator.
export default defineConfig(bundledPluginConfig(["@cfworker/json-schema"]));
