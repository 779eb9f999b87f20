import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defineConfig } from "tsup";
import { bundledPluginConfig } from "../../scripts/tsup-bundled-plugin";

// The shared build of a bundled plugin (scripts/tsup-bundled-plugin.ts). yaml (parsing a changed
// SKILL.md) and better-sqlite3 (evolution.db) stay packages of their own, imported on first use.
// After the build, the bundled skills are parsed once into dist/bundled-skills.json, so a fresh
// workspace's first start lists them without the YAML parser.
const base = bundledPluginConfig([], { commandsEntry: true, runtimeEntry: true });

export default defineConfig({
  ...base,
  external: ["@aleph/zod", "yaml", "better-sqlite3"],
  onSuccess: async () => {
    if (typeof base.onSuccess === "function") await base.onSuccess();
    const runtime = (await import(pathToFileURL(resolve("dist/runtime.js")).href)) as typeof import("./src/runtime.js");
    await runtime.writeBundledSeeds(resolve("skills"), resolve("dist/bundled-skills.json"));
  },
});
