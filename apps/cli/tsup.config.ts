import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// The launcher is bundled (plus the loader hooks, which Node loads by URL): resolving and reading a
// few hundred small modules would dominate start-up time otherwise. Split into chunks at its
// dynamic imports, so `aleph --help` reads the command index without the kernel, zod or a command's code.
export default defineConfig({
  // module-hooks.js sits beside the bundled Node loader (@aleph/node-host), which registers it by URL.
  // kernel-child.js is the kernel process `aleph start`'s supervisor runs (start/supervisor.ts).
  entry: { aleph: "src/bin.ts", "kernel-child": "src/start/kernel-child.ts", "module-hooks": "../../packages/node-host/src/module-hooks.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  // @aleph/wasm-host stays a package of its own: Extism starts its workers from files beside it.
  // zod stays a package too: the bundled plugins import it (not a copy each), so the launcher and
  // every plugin share one instance, loaded once (measured: kernel.ready 214 → 173 ms with four
  // bundled plugins, each of which had carried its own ~500 KB copy).
  noExternal: [/^@aleph\/(kernel|node-host|plugin-sdk)/, "smol-toml", "semver", "chokidar", "readdirp", /^pino/, "sonic-boom", "thread-stream", "atomic-sleep", "on-exit-leak-free", "quick-format-unescaped", "safe-stable-stringify", "fast-redact", "real-require", "process-warning", "@pinojs/redact", "slow-redact"],
  define: { __ALEPH_VERSION__: JSON.stringify(version) },
  banner: { js: "import { createRequire as __aleph_createRequire } from 'node:module'; const require = __aleph_createRequire(import.meta.url);" },
});
