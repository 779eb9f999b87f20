import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Load the built kernel and Node loader with Node itself: plugin code is imported through
    // Node's import() and loader hooks, which vitest's module runner must not stand in for.
    server: { deps: { external: [/\/packages\/kernel\/dist\//, /\/packages\/node-host\/dist\//] } },
  },
});
