import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { writeFileAtomicSync } from "./atomic-write.js";
import { isPluginDefinition } from "./define-plugin.js";

/*
 * `@aleph/plugin-sdk/build`: build-time helpers for plugin projects. A plugin's config schema
 * is code; `aleph config check`, `aleph doctor`, `aleph init` and `aleph config schema` must not
 * run plugin code, so the build writes the schema down as data — a JSON Schema beside the built
 * entry — and they read that.
 */

/** Where the generated config schema goes, relative to the plugin directory (`[plugin] config_schema` overrides it). */
export const CONFIG_SCHEMA_FILE = "dist/config.schema.json";

export interface WriteConfigSchemaOptions {
  /** The plugin directory (where aleph_plugin.toml is); default the working directory. */
  dir?: string;
  /** The built entry, relative to `dir`; default dist/index.js. */
  entry?: string;
  /** The output, relative to `dir`; default dist/config.schema.json. */
  out?: string;
}

/**
 * Imports the built entry, turns its definition's `config` schema (zod) into JSON Schema (the
 * input side: what may be written in config.toml, defaults included) and writes it. A plugin
 * without a config schema gets no file (a stale one is removed). Call it after the build, e.g.
 * from tsup's `onSuccess`.
 */
export async function writeConfigSchema(options: WriteConfigSchemaOptions = {}): Promise<{ file: string; written: boolean }> {
  const dir = resolve(options.dir ?? ".");
  const file = join(dir, options.out ?? CONFIG_SCHEMA_FILE);
  const entry = join(dir, options.entry ?? "dist/index.js");
  if (!existsSync(entry)) throw new Error(`writeConfigSchema: ${entry} does not exist; build the plugin first`);
  const module = (await import(`${pathToFileURL(entry).href}?schema=${Date.now()}`)) as { default?: unknown };
  const definition = module.default;
  if (!isPluginDefinition(definition)) throw new Error(`writeConfigSchema: ${entry} has no default export with a setup function`);
  if (!definition.config) {
    rmSync(file, { force: true });
    return { file, written: false };
  }
  let schema: Record<string, unknown>;
  try {
    schema = z.toJSONSchema(definition.config as unknown as z.ZodType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  } catch (error) {
    // A schema of another library (valibot, arktype…): the section is checked when the plugin loads.
    console.warn(`writeConfigSchema: the config schema is not zod (${(error as Error).message}); no ${file} written`);
    rmSync(file, { force: true });
    return { file, written: false };
  }
  writeFileAtomicSync(file, JSON.stringify(schema, null, 2) + "\n", { mode: 0o644 });
  return { file, written: true };
}
