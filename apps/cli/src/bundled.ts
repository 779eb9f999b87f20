import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

/**
 * The bundled set: plugin packages shipped with the CLI, loaded at the lowest precedence.
 * This is the only place that knows it (ARCHITECTURE §1). Each entry is a package whose root
 * holds an aleph_plugin.toml; capability issues add theirs here.
 */
const BUNDLED_PACKAGES: string[] = ["@aleph/plugin-tools", "@aleph/plugin-workspace", "@aleph/plugin-sessions", "@aleph/plugin-chat", "@aleph/plugin-providers", "@aleph/plugin-agent"];

/** Directories of the bundled plugins, resolved from this install. */
export function bundledPlugins(): string[] {
  return BUNDLED_PACKAGES.map((name) => dirname(fileURLToPath(import.meta.resolve(`${name}/aleph_plugin.toml`))));
}
