import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Load the built kernel (and this package's build, used by the child-process tests) with Node
    // itself: plugin code is imported through Node's import() and loader hooks, which vitest's
    // module runner must not stand in for.
    server: { deps: { external: [/\/packages\/kernel\/dist\//, /\/packages\/wasm-host\/dist\//] } },
    // The memory-bound tests call gc() before measuring.
    execArgv: ["--expose-gc"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
