import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  clean: true,
  // The point of the package: zod inlined, one file.
  noExternal: ["zod"],
  dts: true,
});
