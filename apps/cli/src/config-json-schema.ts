import * as z from "@aleph/zod/mini";
import { configFileSchema, discoverPlugins, providersFileSchema, PROVIDERS_FILE_SECTION, readConfigSchemaData, type PluginCandidate } from "@aleph/kernel";
import { bundledPlugins } from "./bundled.js";

/** A plugin's section and its JSON Schema (the data its build wrote, see readConfigSchemaData). */
export interface PluginSectionSchema {
  plugin: string;
  section: string;
  schema: Record<string, unknown>;
}

function toJsonSchema(schema: unknown): Record<string, unknown> {
  return z.toJSONSchema(schema as z.ZodMiniType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Puts `value` at a dotted section path ("interfaces.telegram") of a JSON Schema's properties. */
function placeSection(properties: Record<string, unknown>, section: string, value: Record<string, unknown>): void {
  const [head, ...rest] = section.split(".");
  if (rest.length === 0) {
    properties[head!] = { ...(properties[head!] as object | undefined), ...value };
    return;
  }
  const parent = (properties[head!] ??= { type: "object", properties: {} }) as { properties?: Record<string, unknown> };
  parent.properties ??= {};
  placeSection(parent.properties, rest.join("."), value);
}

/**
 * JSON Schema of config.toml (and, under `$defs.providers`, providers.toml) for editors: the
 * kernel's sections, and each plugin's section from the schema its build shipped — no plugin code runs.
 */
export function configJsonSchema(plugins: PluginSectionSchema[] = []): Record<string, unknown> {
  const schema = toJsonSchema(configFileSchema);
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  let providers = toJsonSchema(providersFileSchema);
  delete providers.$schema;
  for (const { plugin, section, schema: pluginSchema } of plugins) {
    const { $schema: _drop, ...rest } = pluginSchema;
    // The owner of providers.toml's tables describes that file, not a section of config.toml.
    if (section === PROVIDERS_FILE_SECTION) providers = { type: "object", properties: { providers: { ...rest, description: `Owned by plugin "${plugin}"` } } };
    else placeSection(properties, section, { ...rest, description: `Owned by plugin "${plugin}"` });
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Aleph config.toml",
    ...schema,
    properties,
    $defs: { ...(schema.$defs as object | undefined), providers },
  };
}

/** The section schemas the given plugins ship (a plugin without one is left out). */
export function shippedSectionSchemas(candidates: Iterable<PluginCandidate>): PluginSectionSchema[] {
  const out: PluginSectionSchema[] = [];
  for (const candidate of candidates) {
    if (!candidate.manifest) continue;
    const data = readConfigSchemaData(candidate.dir, candidate.manifest);
    if (data.ok) out.push({ plugin: candidate.id, section: candidate.manifest.configKey, schema: data.schema });
  }
  return out;
}

/** The bundled plugins' section schemas, in the bundled order (for the template `aleph init` writes). */
export function bundledSectionSchemas(): PluginSectionSchema[] {
  return shippedSectionSchemas(discoverPlugins([], bundledPlugins()).winners.values());
}
