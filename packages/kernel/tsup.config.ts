import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/light.ts", "src/discovery-entry.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/light.ts", "src/discovery-entry.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
