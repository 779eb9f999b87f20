import { defineConfig, type Options } from "tsup";

/**
 * The build of a bundled plugin (plugins/<name>/tsup.config.ts re-exports it). A bundled plugin
 * ships inside the CLI: it bundles what it uses from the SDK (tree-shaken), so loading it costs
 * one small file rather than the SDK's whole dependency graph; zod stays a shared dependency, so
 * the launcher and every plugin load one instance (a bundled copy is ~500 KB per plugin).
 * `extraBundled`: further dependencies to inline (tools inlines its JSON Schema validator).
 */
export function bundledPluginConfig(extraBundled: string[] = []): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    clean: true,
    sourcemap: true,
    noExternal: ["@aleph/plugin-sdk", ...extraBundled],
    external: ["zod"],
  };
}

export default defineConfig(bundledPluginConfig());
