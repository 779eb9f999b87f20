import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineConfig, type Options } from "tsup";

/**
 * The build of a bundled plugin (plugins/<name>/tsup.config.ts re-exports it). A bundled plugin
 * ships inside the CLI: it bundles what it uses from the SDK (tree-shaken), so loading it costs
 * one small file rather than the SDK's whole dependency graph; zod stays a shared dependency, so
 * the launcher and every plugin load one instance (a bundled copy is ~500 KB per plugin).
 * `extraBundled`: further dependencies to inline (tools inlines its JSON Schema validator).
 * `commandsEntry`: build src/commands.ts too, the plugin's `[plugin] commands_entry` (its command
 * handlers alone, so the CLI runs them without loading the rest of the plugin).
 * After each build the plugin's config schema is written as data (dist/config.schema.json), so the
 * CLI checks its config.toml section without importing the plugin.
 */
export function bundledPluginConfig(extraBundled: string[] = [], options: { commandsEntry?: boolean } = {}): Options {
  return {
    entry: ["src/index.ts", ...(options.commandsEntry ? ["src/commands.ts"] : [])],
    // One file per entry: what a plugin imports on first use (import("./x.js")) is inlined behind a
    // lazy initialiser rather than split into shared chunks, because each extra file the kernel
    // loads at start costs more (resolve, read, link) than parsing code that never runs.
    splitting: false,
    format: ["esm"],
    target: "node20",
    clean: true,
    sourcemap: true,
    noExternal: ["@aleph/plugin-sdk", ...extraBundled],
    external: ["zod"],
    onSuccess: async () => {
      // The plugin's own SDK dependency (a workspace link), run from the plugin's directory.
      const { writeConfigSchema } = (await import(pathToFileURL(resolve("node_modules/@aleph/plugin-sdk/dist/build.js")).href)) as typeof import("../packages/plugin-sdk/src/build.js");
      await writeConfigSchema({ dir: "." });
    },
  };
}

export default defineConfig(bundledPluginConfig());
