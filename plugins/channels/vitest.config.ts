import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Load the kernel (used by the SDK test kit) with Node itself: plugin code is imported through Node's import()
    // and loader hooks, which vitest's module runner must not stand in for.
    server: { deps: { external: [/\/packages\/kernel\/dist\//] } },
    // Each test starts a real kernel (and some the real CLI): generous on a loaded machine.
    testTimeout: 30_000,
  },
});
