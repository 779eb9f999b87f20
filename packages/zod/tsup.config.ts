import { defineConfig } from "tsup";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";

/**
 * zod's `locales` namespace re-exports its ~50 translations of the error messages (half of the
 * bundle's 520 KB, parsed at every start). Aleph's messages are English and nothing it ships
 * reads another locale, so the namespace keeps `en` only (`z.locales.en`; zod's default, which
 * it installs itself). A third-party plugin imports its own zod and keeps every locale.
 */
const englishLocaleOnly: Plugin = {
  name: "zod-english-locale-only",
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/zod/") ? { path: join(args.resolveDir, args.path), namespace: "aleph-zod-locales" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "aleph-zod-locales" }, (args) => ({
      contents: `export { default as en } from "./en.js";\n`,
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

export default defineConfig({
  entry: ["src/index.ts", "src/mini.ts"],
  // One core shared by the classic API and mini (a chunk both import), as zod itself is built.
  splitting: true,
  format: ["esm"],
  target: "node20",
  platform: "node",
  clean: true,
  // The point of the package: zod inlined, one file.
  noExternal: ["zod"],
  esbuildPlugins: [englishLocaleOnly],
  dts: true,
});
