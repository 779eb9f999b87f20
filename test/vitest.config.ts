import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    setupFiles: ["./support/setup.ts"],
    // Each test spawns real kernels that watch real files; on a 2-core CI machine running the
    // files one at a time keeps the timing assertions (hot load < 1 s) meaningful.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default"],
    // In-process kernels (examples.test.ts) load plugin code with Node's own import(): let Node load
    // the built packages instead of vitest's module runner.
    server: { deps: { external: [/\/packages\/[a-z-]+\/dist\//] } },
  },
});
