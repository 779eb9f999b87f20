import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import type { BundledPlugin } from "@aleph/kernel";
import type { PluginManifest } from "@aleph/plugin-sdk";

/**
 * The bundled set: plugin packages shipped with the CLI, loaded at the lowest precedence.
 * This is the only place that knows it (ARCHITECTURE §1). Each entry is a package whose root
 * holds an aleph_plugin.toml; capability issues add theirs here.
 */
export const BUNDLED_PACKAGES: string[] = ["@aleph/plugin-tools", "@aleph/plugin-workspace", "@aleph/plugin-sessions", "@aleph/plugin-chat", "@aleph/plugin-providers", "@aleph/plugin-agent", "@aleph/plugin-memory", "@aleph/plugin-skills", "@aleph/plugin-fs-tools", "@aleph/plugin-shell", "@aleph/plugin-web-fetch", "@aleph/plugin-mcp", "@aleph/plugin-channels", "@aleph/plugin-gateway", "@aleph/plugin-telegram", "@aleph/plugin-discord", "@aleph/plugin-cron"];

/** Directories of the bundled plugins, resolved from this install. */
export function bundledPlugins(): string[] {
  return BUNDLED_PACKAGES.map((name) => dirname(fileURLToPath(import.meta.resolve(`${name}/aleph_plugin.toml`))));
}

/** A bundled plugin's manifest as the build validated it (dist/bundled-manifests.json, print-bundled-manifests.ts). */
export interface ShippedManifest {
  package: string;
  manifestSha256: string;
  manifest: PluginManifest;
}

function shippedManifests(): Map<string, ShippedManifest> {
  try {
    const list = JSON.parse(readFileSync(new URL("./bundled-manifests.json", import.meta.url), "utf8")) as ShippedManifest[];
    return new Map(list.map((m) => [m.package, m]));
  } catch {
    return new Map(); // running from source, or a build without it: every manifest is read
  }
}

/**
 * The bundled plugins for a kernel: each directory with the manifest the build validated, used
 * while its file is unchanged (a start then neither parses nor validates them).
 */
export function bundledPluginsForKernel(): BundledPlugin[] {
  const dirs = bundledPlugins();
  const shipped = shippedManifests();
  return BUNDLED_PACKAGES.map((name, i) => {
    const known = shipped.get(name);
    return known ? { dir: dirs[i]!, manifestSha256: known.manifestSha256, manifest: known.manifest } : dirs[i]!;
  });
}
