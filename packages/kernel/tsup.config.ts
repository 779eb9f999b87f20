import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/light.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/light.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
