import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  // The few SDK helpers it uses, tree-shaken into this file: importing the SDK package would also
  // load zod (~25 ms) the moment the first WASM plugin loads. (Extism stays external: its workers
  // start from files beside it.)
  noExternal: ["@aleph/plugin-sdk"],
});
