import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  // The host provides @aleph/plugin-sdk; bundle it instead (noExternal) to run without one.
  external: ["@aleph/plugin-sdk"],
});
