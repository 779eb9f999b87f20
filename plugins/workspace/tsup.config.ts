import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  // A bundled plugin ships inside the CLI: bundle what it uses (tree-shaken), so that loading it
  // costs one small file rather than the SDK's whole dependency graph.
  noExternal: ["@aleph/plugin-sdk"],
  // zod is shared with the launcher and the other plugins (a dependency, never a bundled copy).
  external: ["zod"],
});
