import type { Plugin } from "esbuild";

/**
 * An esbuild plugin for the launcher's and the bundled plugins' builds: every `import … from
 * "zod"` becomes an import of "@aleph/zod" (packages/zod: zod as one module, shared by all of
 * them), left external; `zod/mini` becomes "@aleph/zod/mini" (the same bundle's mini API).
 */
export const zodAsOneModule: Plugin = {
  name: "zod-as-one-module",
  setup(build) {
    // sideEffects false: an import whose bindings go unused is dropped. The SDK's entry re-exports
    // the classic `z` for plugin authors; a bundle that never uses it must not load it.
    build.onResolve({ filter: /^(zod|@aleph\/zod)$/ }, () => ({ path: "@aleph/zod", external: true, sideEffects: false }));
    build.onResolve({ filter: /^(zod|@aleph\/zod)\/mini$/ }, () => ({ path: "@aleph/zod/mini", external: true, sideEffects: false }));
  },
};
