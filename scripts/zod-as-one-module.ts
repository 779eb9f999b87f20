import type { Plugin } from "esbuild";

/**
 * An esbuild plugin for the launcher's and the bundled plugins' builds: every `import … from
 * "zod"` becomes an import of "@aleph/zod" (packages/zod: zod as one module, shared by all of
 * them), left external.
 */
export const zodAsOneModule: Plugin = {
  name: "zod-as-one-module",
  setup(build) {
    build.onResolve({ filter: /^zod$/ }, () => ({ path: "@aleph/zod", external: true }));
  },
};
