import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // The kernel, the SDK, the Node loader and the optional WASM host stay imports: the kit runs the
  // copies the project under test installed, the same code `aleph start` runs.
  external: ["@aleph/kernel", "@aleph/node-host", "@aleph/plugin-sdk", "@aleph/wasm-host"],
});
