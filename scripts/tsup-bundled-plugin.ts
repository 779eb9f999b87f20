import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineConfig, type Options } from "tsup";
import { zodAsOneModule } from "./zod-as-one-module.js";

/**
 * The build of a bundled plugin (plugins/<name>/tsup.config.ts re-exports it). A bundled plugin
 * ships inside the CLI: it bundles what it uses from the SDK (tree-shaken), so loading it costs
 * one small file rather than the SDK's whole dependency graph; zod stays a shared dependency, so
 * the launcher and every plugin load one instance (a bundled copy is ~500 KB per plugin), imported
 * as @aleph/zod (packages/zod: zod as one module, which loads ~20 ms faster than zod's ~80 files).
 * `extraBundled`: further dependencies to inline (tools inlines its JSON Schema validator).
 * `commandsEntry`: build src/commands.ts too, the plugin's `[plugin] commands_entry` (its command
 * handlers alone, so the CLI runs them without loading the rest of the plugin).
 * `runtimeEntry`: build src/runtime.ts too, the plugin's working code, which its entry imports on
 * first use by a computed path (see plugins/providers/src/runtime-module.ts).
 * After each build the plugin's config schema is written as data (dist/config.schema.json), so the
 * CLI checks its config.toml section without importing the plugin.
 */
export function bundledPluginConfig(extraBundled: string[] = [], options: { commandsEntry?: boolean; runtimeEntry?: boolean } = {}): Options {
  return {
    entry: ["src/index.ts", ...(options.commandsEntry ? ["src/commands.ts"] : []), ...(options.runtimeEntry ? ["src/runtime.ts"] : [])],
    // One self-contained file per entry, no shared chunks: the kernel loads exactly one small file
    // per plugin at start (each extra file costs a resolve, read and link). Code wanted later goes
    // in the runtime entry, imported by a computed path on first use.
    splitting: false,
    format: ["esm"],
    target: "node20",
    clean: true,
    sourcemap: true,
    noExternal: ["@aleph/plugin-sdk", ...extraBundled],
    external: ["@aleph/zod"],
    esbuildPlugins: [zodAsOneModule],
    onSuccess: async () => {
      // The plugin's own SDK dependency (a workspace link), run from the plugin's directory.
      const { writeConfigSchema } = (await import(pathToFileURL(resolve("node_modules/@aleph/plugin-sdk/dist/build.js")).href)) as typeof import("../packages/plugin-sdk/src/build.js");
      await writeConfigSchema({ dir: "." });
    },
  };
}

export default defineConfig(bundledPluginConfig());
