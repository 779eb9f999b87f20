import { cpSync, existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts): a small entry that
// listens (dist/index.js), the gateway's working code imported on the first request
// (dist/runtime.js; `ws` stays a dependency of its own, imported on the first upgrade), and
// dist/commands.js (`aleph gateway token|url`). Then the control page (apps/web's build, a
// devDependency so turbo builds it first) is copied into dist/web, where the gateway serves it
// from: a plugin cannot import an app at run time.
const base = bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true });

export default defineConfig({
  ...base,
  onSuccess: async () => {
    if (typeof base.onSuccess === "function") await base.onSuccess(); // dist/config.schema.json
    const page = resolve("node_modules/@aleph/web/dist");
    rmSync("dist/web", { recursive: true, force: true });
    if (existsSync(resolve(page, "index.html"))) cpSync(page, "dist/web", { recursive: true });
    else console.warn("gateway: apps/web is not built (no node_modules/@aleph/web/dist/index.html): / will say so");
  },
});
