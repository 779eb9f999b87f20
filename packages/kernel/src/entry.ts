import { existsSync, realpathSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { PluginCandidate } from "./discovery.js";
import { entryMissing, entryOutside } from "./host-failures.js";
import type { LoadableCandidate } from "./plugin-loader.js";

/**
 * The real path of a plugin's entry file (its module or .wasm), checked once for every kind before
 * any loader runs: it must exist, and — links resolved — stay inside the plugin directory.
 */
export function resolveEntry(candidate: PluginCandidate): string {
  const manifest = candidate.manifest!;
  const entry = resolve(candidate.dir, manifest.entry);
  if (!existsSync(entry)) {
    throw entryMissing(manifest.id, manifest.entry, entry, candidate.manifestFile);
  }
  const real = realpathSync(entry);
  if (relative(candidate.realDir, real).startsWith("..")) {
    throw entryOutside(manifest.entry, entry, real);
  }
  return real;
}

/**
 * A discovered plugin as a loader takes it (plugin-loader.ts): its entry resolved and checked.
 * Throws the candidate's own error when its manifest is invalid.
 */
export function loadableCandidate(candidate: PluginCandidate): LoadableCandidate {
  if (!candidate.manifest) throw candidate.error ?? new Error(`plugin "${candidate.id}" has no valid manifest`);
  return { ...candidate, manifest: candidate.manifest, entryFile: resolveEntry(candidate) };
}
