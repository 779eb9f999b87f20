import { validateWithSchema, type PluginDefinition, type PluginManifest, type StandardSchemaV1 } from "@aleph/plugin-sdk";
import type { ConfigSnapshot } from "./config-loader.js";
import { locateTomlKey } from "@aleph/plugin-sdk";

/*
 * A plugin's own section of config.toml, checked against the plugin's schema: by the host before
 * it loads a plugin or applies a change, and by `aleph config check` without a kernel.
 */

/** A problem in a plugin-owned section, located in config.toml. */
export interface PluginSectionIssue {
  file: string;
  /** Dotted key path from the top of config.toml, e.g. "sessions.synchronous". */
  path: string;
  message: string;
  line?: number;
}

/** Reads a dotted config section ("interfaces.telegram") out of config.toml's data. */
export function sectionOf(config: Record<string, unknown>, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The config key whose data is providers.toml's `[providers.<name>]` tables rather than a section of
 * config.toml: credentials live in their own 0600 file (the seed), and the plugin that owns
 * providers (`config_key = "providers"`) gets them as its section, validated and hot-reloaded the same way.
 */
export const PROVIDERS_FILE_SECTION = "providers";

/** Where a plugin's section comes from: its data, and the file (and text) to locate problems in. */
export interface SectionSource {
  value: unknown;
  file: string;
  text: string;
}

/** The section `key` of `snapshot`: a config.toml section, or providers.toml's tables for PROVIDERS_FILE_SECTION. */
export function sectionSource(snapshot: ConfigSnapshot, key: string): SectionSource {
  if (key === PROVIDERS_FILE_SECTION) {
    return { value: (snapshot.providers as { providers?: unknown }).providers, file: snapshot.files.providers, text: snapshot.text.providers };
  }
  return { value: sectionOf(snapshot.config, key), file: snapshot.files.config, text: snapshot.text.config };
}

/**
 * Validates a plugin's section. An absent section reads as an empty table; a schema that is not a
 * table (an array of tables such as [[agents]]) gets `undefined` instead, so its own default applies.
 */
export async function validateSection(schema: StandardSchemaV1<unknown, unknown>, section: unknown) {
  const result = await validateWithSchema(schema, section ?? {});
  if (result.ok || section !== undefined) return result;
  const asUndefined = await validateWithSchema(schema, undefined);
  return asUndefined.ok ? asUndefined : result;
}

/** Every problem of `manifest`'s section in `snapshot` by `definition`'s schema (none without one). */
export async function pluginSectionIssues(
  definition: PluginDefinition<unknown>,
  manifest: Pick<PluginManifest, "id" | "configKey">,
  snapshot: ConfigSnapshot,
): Promise<PluginSectionIssue[]> {
  if (!definition.config) return [];
  return schemaSectionIssues(definition.config, manifest, snapshot);
}

/** Every problem of `manifest`'s section in `snapshot` by `schema`, located in its file. */
export async function schemaSectionIssues(
  schema: StandardSchemaV1<unknown, unknown>,
  manifest: Pick<PluginManifest, "id" | "configKey">,
  snapshot: ConfigSnapshot,
): Promise<PluginSectionIssue[]> {
  const source = sectionSource(snapshot, manifest.configKey);
  const result = await validateSection(schema, source.value);
  if (result.ok) return [];
  return result.issues.map((issue) => {
    const path = [...manifest.configKey.split("."), ...(issue.path ? issue.path.split(".") : [])];
    return { file: source.file, path: path.join("."), message: `${issue.message} (plugin "${manifest.id}")`, line: locateTomlKey(source.text, path) };
  });
}
