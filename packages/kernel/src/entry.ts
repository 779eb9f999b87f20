import { existsSync, realpathSync } from "node:fs";
import { relative, resolve } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";
import type { PluginCandidate } from "./discovery.js";

/**
 * The real path of a plugin's entry file (its module or .wasm), checked once for every kind before
 * any loader runs: it must exist, and — links resolved — stay inside the plugin directory.
 */
export function resolveEntry(candidate: PluginCandidate): string {
  const manifest = candidate.manifest!;
  const entry = resolve(candidate.dir, manifest.entry);
  if (!existsSync(entry)) {
    throw new AlephError("ALEPH_E_ENTRY", `entry "${manifest.entry}" of plugin "${manifest.id}" does not exist`, {
      file: entry,
      fix: `build the plugin (e.g. npm run build) or set [plugin] entry in ${candidate.manifestFile}`,
    });
  }
  const real = realpathSync(entry);
  if (relative(candidate.realDir, real).startsWith("..")) {
    throw new AlephError("ALEPH_E_ENTRY", `entry "${manifest.entry}" resolves outside the plugin directory (${real})`, {
      file: entry,
      fix: "keep the entry file inside the plugin directory; do not link it from elsewhere",
    });
  }
  return real;
}
