import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE_NAMES } from "@aleph/plugin-sdk/core";
import type { PluginSearchPath } from "./paths.js";

/*
 * Where plugins are on disk, and nothing about what they say: shared by discovery and by the
 * CLI's command index (`aleph --help` reads manifests without the kernel's validation stack).
 */

/** The manifest file of a plugin directory (aleph_plugin.toml, else aleph.plugin.toml), if it has one. */
export function manifestFileIn(dir: string): string | undefined {
  for (const name of MANIFEST_FILE_NAMES) {
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** The plugin directories of one search path: immediate subdirectories (not hidden, not node_modules), sorted by name. */
export function pluginDirsIn(path: PluginSearchPath): string[] {
  let entries: string[];
  try {
    entries = readdirSync(path.dir).sort();
  } catch {
    return []; // a search path that does not exist holds no plugins
  }
  const out: string[] = [];
  for (const name of entries) {
    if (name.startsWith(".") || name === "node_modules") continue;
    const dir = join(path.dir, name);
    try {
      if (statSync(dir).isDirectory()) out.push(dir);
    } catch {
      continue;
    }
  }
  return out;
}
