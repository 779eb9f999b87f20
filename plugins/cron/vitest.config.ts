import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each kernel test starts a real kernel with five plugins; a loaded machine takes its time.
    testTimeout: 30_000,
    // Load the kernel (used by the SDK test kit) with Node itself: plugin code is imported through Node's import()
    // and loader hooks, which vitest's module runner must not stand in for.
    server: { deps: { external: [/\/packages\/kernel\/dist\//] } },
  },
});
