import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/core.ts", "src/build.ts", "src/build-cli.ts", "src/testing.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  external: ["@aleph/kernel"],
  // zod stays an import (not inlined): consumers that bundle the SDK and do not use `z` drop it
  // whole (the package is side-effect free), which an inlined copy would prevent.
});
