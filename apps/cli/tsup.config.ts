import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "tsup";
import { zodAsOneModule } from "../../scripts/zod-as-one-module.js";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// The launcher is bundled (plus the loader hooks, which Node loads by URL): resolving and reading a
// few hundred small modules would dominate start-up time otherwise. Split into chunks at its
// dynamic imports, so `aleph --help` reads the command index without the kernel, zod or a command's code.
export default defineConfig({
  // module-hooks.js sits beside the bundled Node loader (@aleph/node-host), which registers it by URL.
  // kernel-worker.js is the kernel thread `aleph start`'s supervisor runs (start/supervisor.ts).
  // print-config-template.js writes dist/config-template.toml and print-bundled-manifests.js
  // dist/bundled-manifests.json once the build is done (see onSuccess).
  entry: { aleph: "src/bin.ts", "kernel-worker": "src/start/kernel-worker.ts", "print-config-template": "src/print-config-template.ts", "print-bundled-manifests": "src/print-bundled-manifests.ts", "module-hooks": "../../packages/node-host/src/module-hooks.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  // @aleph/wasm-host stays a package of its own: Extism starts its workers from files beside it.
  // zod stays a package too: the bundled plugins import it (not a copy each), so the launcher and
  // every plugin share one instance, loaded once (measured: kernel.ready 214 → 173 ms with four
  // bundled plugins, each of which had carried its own ~500 KB copy). It is imported as
  // @aleph/zod, zod bundled into one module (packages/zod: ~80 files cost ~20 ms to load).
  noExternal: [/^@aleph\/(kernel|node-host|plugin-sdk)/, "smol-toml", "semver", "chokidar", "readdirp"],
  esbuildPlugins: [zodAsOneModule],
  define: { __ALEPH_VERSION__: JSON.stringify(version) },
  async onSuccess() {
    writeFileSync("dist/config-template.toml", execFileSync(process.execPath, ["dist/print-config-template.js"]));
    writeFileSync("dist/bundled-manifests.json", execFileSync(process.execPath, ["dist/print-bundled-manifests.js"]));
  },
  banner: { js: "import { createRequire as __aleph_createRequire } from 'node:module'; const require = __aleph_createRequire(import.meta.url);" },
});
