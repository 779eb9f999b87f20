import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginManifest } from "@aleph/plugin-sdk";
import type { ConfigSnapshot } from "./config-loader.js";
import { schemaSectionIssues, sectionOf, sectionSource, type PluginSectionIssue } from "./plugin-config.js";

/*
 * A plugin's config schema as data: the JSON Schema its build wrote (the SDK's writeConfigSchema,
 * dist/config.schema.json by default). `config check`, `doctor`, `init` and `config schema` read
 * it, so none of them runs plugin code to know what a section may hold.
 */

export type ConfigSchemaData = { ok: true; schema: Record<string, unknown> } | { ok: false; reason: "missing" | "invalid"; file: string; detail?: string };

/** The JSON Schema a plugin ships for its section, or why there is none usable. */
export function readConfigSchemaData(dir: string, manifest: Pick<PluginManifest, "configSchema">): ConfigSchemaData {
  const file = join(dir, manifest.configSchema);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { ok: false, reason: "missing", file };
  }
  try {
    const schema = JSON.parse(text) as unknown;
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) throw new Error("not a JSON object");
    return { ok: true, schema: schema as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: "invalid", file, detail: (error as Error).message };
  }
}

/** Checks the plugin's section of `snapshot` against its shipped JSON Schema. */
export async function dataSectionIssues(schema: Record<string, unknown>, manifest: Pick<PluginManifest, "id" | "configKey">, snapshot: ConfigSnapshot): Promise<PluginSectionIssue[]> {
  // zod's classic API (fromJSONSchema is in it alone), imported here: the kernel's start never needs it.
  const { z } = await import("zod");
  let validator;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    return [{ file: sectionSource(snapshot, manifest.configKey).file, path: manifest.configKey, message: `plugin "${manifest.id}" ships a config schema that cannot be used (${(error as Error).message}); rebuild it` }];
  }
  return schemaSectionIssues(validator, manifest, snapshot);
}

/**
 * The documented keys of a section with their defaults and descriptions, from its JSON Schema (for
 * the template `aleph init` writes): nested tables become their own entries.
 */
export interface SchemaKey {
  /** Dotted path below the section ("subagents.max_active"). */
  path: string;
  default?: unknown;
  description?: string;
  /** The allowed values of an enum, when it has them. */
  choices?: unknown[];
  /** The schema's first example (`examples`), for a key without a default ("keys:telegram-token"). */
  example?: unknown;
  /** Listed in its table's `required`: there is no default to fall back on. */
  required: boolean;
}

export function schemaKeys(schema: Record<string, unknown>, prefix = "", options: { flatten?: boolean } = { flatten: true }): SchemaKey[] {
  const out: SchemaKey[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    // JSON Schema allows `true`/`false` as a property's schema (anything / nothing): a key without a default.
    if (typeof property !== "object" || property === null || Array.isArray(property)) {
      out.push({ path, required: required.has(name) });
      continue;
    }
    if (options.flatten && property.type === "object" && property.properties) {
      out.push(...schemaKeys(property, path, options));
      continue;
    }
    out.push({
      path,
      required: required.has(name),
      ...("default" in property ? { default: property.default } : {}),
      ...(typeof property.description === "string" ? { description: property.description } : {}),
      ...(Array.isArray(property.enum) ? { choices: property.enum } : {}),
      ...(Array.isArray(property.examples) && property.examples.length > 0 ? { example: property.examples[0] } : {}),
    });
  }
  return out;
}

export { sectionOf, sectionSource };
