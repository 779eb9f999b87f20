import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  // The host provides @aleph/plugin-sdk; bundle it instead (noExternal) to run without one.
  external: ["@aleph/plugin-sdk"],
  // The config schema as data (dist/config.schema.json), so `aleph config check` never imports the plugin.
  onSuccess: async () => {
    const { writeConfigSchema } = await import(pathToFileURL(resolve("node_modules/@aleph/plugin-sdk/dist/build.js")).href);
    await writeConfigSchema({ dir: "." });
  },
});
