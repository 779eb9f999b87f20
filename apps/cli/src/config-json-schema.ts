import { z } from "zod";
import { configFileSchema, providersFileSchema } from "@aleph/kernel";

interface SchemaSource {
  configSchemas(): { plugin: string; section: string; schema: unknown }[];
}

function toJsonSchema(schema: unknown): Record<string, unknown> | undefined {
  try {
    return z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  } catch {
    return undefined; // not a zod schema (valibot, arktype…): the section stays open
  }
}

/**
 * JSON Schema of config.toml (and, under `$defs.providers`, providers.toml) for editors.
 * With a running kernel, the sections of loaded plugins are included from their own schemas.
 */
export function configJsonSchema(host?: SchemaSource): Record<string, unknown> {
  const schema = toJsonSchema(configFileSchema)!;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  for (const { plugin, section, schema: pluginSchema } of host?.configSchemas() ?? []) {
    const json = toJsonSchema(pluginSchema);
    if (!json || section.includes(".")) continue;
    delete json.$schema;
    properties[section] = { ...(properties[section] as object | undefined), ...json, description: `Owned by plugin "${plugin}"` };
  }
  const providers = toJsonSchema(providersFileSchema)!;
  delete providers.$schema;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Aleph config.toml",
    ...schema,
    properties,
    $defs: { ...(schema.$defs as object | undefined), providers },
  };
}
