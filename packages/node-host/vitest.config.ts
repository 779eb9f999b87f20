import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Load this package's build with Node itself: plugin code is imported through Node's import()
    // and loader hooks (and tsx's), which vitest's module runner must not stand in for.
    server: { deps: { external: [/\/packages\/node-host\/dist\//] } },
  },
});
