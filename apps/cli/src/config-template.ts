import { PROVIDERS_FILE_SECTION, schemaKeys } from "@aleph/kernel";
import type { PluginSectionSchema } from "./config-json-schema.js";

/*
 * config.toml as `aleph init` writes it: every default, commented out. The kernel's sections are
 * written here (the kernel owns them); each plugin's section is generated from the JSON Schema the
 * plugin's build shipped, so the template never drifts from the schema that checks it.
 */

const KERNEL_SECTIONS_TEMPLATE = `# Aleph configuration. Every key below is the default, commented out: uncomment to change it.
# Reference: docs/config.md. JSON Schema for editors: \`aleph config schema\`.
# Values may reference environment variables as \${NAME}. Changes apply while aleph runs.

# [extensions]
# enabled = true                   # false: load only the bundled plugins
# hot_reload = true                # watch the plugin search paths
# debounce_ms = 100                # quiet time before a changed plugin reloads
# setup_timeout_ms = 10000         # a plugin's setup must finish within this
# disabled = []                    # plugin ids not to load (\`aleph plugins disable|enable <id>\` edit it)
# stall_timeout_ms = 10000         # the supervisor restarts a kernel whose event loop is stuck this long
# shutdown_timeout_ms = 10000      # an orderly stop may take this long before the kernel is killed
# kernel_max_heap_mb = 2048        # the kernel's V8 heap cap: a runaway plugin meets it, not the OOM killer
# quarantine_after = 2             # crashes blamed on a plugin before it is quarantined
`;

/** A TOML value as it reads in the template. */
function tomlValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    // TOML has no null: a key whose value is null is left out, as an unset key would be.
    const entries = Object.entries(value).filter(([, v]) => v !== null && v !== undefined);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${k} = ${tomlValue(v)}`).join(", ")} }`;
  }
  return '""';
}

function line(key: string, value: string, comment: string | undefined): string {
  const text = `# ${key} = ${value}`;
  return comment ? `${text.padEnd(34)} # ${comment}` : text;
}

/**
 * One plugin's commented block: `[section]` with its keys (a nested table as `[section.sub]`), or
 * an array of tables as one `[[section]]`, from the schema's example (its default) where it has one.
 * A key with neither default nor example is shown only when it is required.
 */
export function sectionTemplate({ plugin, section, schema }: PluginSectionSchema): string {
  const isArray = schema.type === "array";
  const table = (isArray ? (schema.items as Record<string, unknown> | undefined) : schema) ?? {};
  const example = isArray && Array.isArray(schema.default) ? (schema.default[0] as Record<string, unknown> | undefined) : undefined;
  const tables = new Map<string, string[]>([[section, []]]);
  for (const key of schemaKeys(table, "", { flatten: !isArray })) {
    const dot = key.path.lastIndexOf(".");
    const header = dot < 0 ? section : `${section}.${key.path.slice(0, dot)}`;
    const name = dot < 0 ? key.path : key.path.slice(dot + 1);
    const value = example && name in example ? example[name] : key.default;
    const hint = key.choices ? key.choices.map((c) => String(c)).join(" | ") : key.description;
    // A key with no default but an example (a channel's token, "keys:telegram-token") is shown with it:
    // it is the line a person has to write.
    if (value === undefined && !key.required && key.example !== undefined) {
      const lines = tables.get(header) ?? [];
      lines.push(line(name, tomlValue(key.example), hint));
      tables.set(header, lines);
      continue;
    }
    if (value === undefined && !key.required) continue;
    const lines = tables.get(header) ?? [];
    if (value === null) {
      // A null default means "unset": TOML cannot write it, so the key is shown without a value.
      lines.push(line(name, "…", `unset by default${hint ? `: ${hint}` : ""}`));
    } else {
      lines.push(line(name, value === undefined ? "…" : tomlValue(value), value === undefined ? `required${hint ? `: ${hint}` : ""}` : hint));
    }
    tables.set(header, lines);
  }
  const blocks = [...tables].map(([header, lines], i) => {
    const head = isArray && header === section ? `# [[${header}]]` : `# [${header}]`;
    return [i === 0 ? `${head.padEnd(35)}# plugin "${plugin}"` : head, ...lines].join("\n");
  });
  return blocks.join("\n\n") + "\n";
}

/** The whole config.toml template: the kernel's sections, then each plugin's. */
export function configTemplate(plugins: PluginSectionSchema[]): string {
  // providers.toml's tables have their own file (written by `aleph init` with its own comments).
  return [KERNEL_SECTIONS_TEMPLATE, ...plugins.filter((p) => p.section !== PROVIDERS_FILE_SECTION).map(sectionTemplate)].join("\n");
}
