import { defineConfig } from "tsup";

export default defineConfig({
  // module-hooks.js is a file of its own: Node runs it on the loader thread, found by URL beside
  // the loader (see node-loader.ts).
  entry: ["src/index.ts", "src/module-hooks.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
});
