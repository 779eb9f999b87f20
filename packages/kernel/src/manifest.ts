import { isAbsolute, relative, resolve } from "node:path";
import semver from "semver";
import { z } from "./zod-mini.js";
import { AlephError, CONTRIBUTION_KEY_PATTERN, CONTRIBUTION_KEY_RULE, explainInvalidId, PLUGIN_ID_PATTERN, type PluginManifest } from "@aleph/plugin-sdk";
import { commandsSchema, commandProblems, toCommandDeclaration } from "./manifest-commands.js";
import { parseToml, zodIssues } from "./config-loader.js";

const SERVICE_ID = /^[a-z0-9][a-z0-9.-]{0,63}$/;
const EXPORT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * The schema of aleph_plugin.toml, built on first use: a start with only the bundled plugins never
 * needs it (their manifests come validated by the launcher's build, discovery.ts
 * PrevalidatedPlugin), and building it costs a few milliseconds of every start.
 */
function buildManifestFileSchema() {
  const pluginIdSchema = z.string().check(
    z.superRefine((value, ctx) => {
      const problem = explainInvalidId("plugin id", value, { pattern: PLUGIN_ID_PATTERN, maxLength: 64 });
      if (problem) ctx.addIssue({ code: "custom", message: `${problem} (ids are lowercase letters, digits and dashes, at most 64)` });
    }),
  );
  const serviceIds = () => z._default(z.array(z.string().check(z.regex(SERVICE_ID, "is not a service id"))), []);

  return z.strictObject({
    plugin: z.strictObject({
      id: pluginIdSchema,
      version: z.string().check(z.refine((v) => semver.valid(v) !== null, { message: "is not a semver version (e.g. 1.0.0)" })),
      name: z.optional(z.string()),
      description: z.optional(z.string()),
      kind: z._default(z.enum(["node", "nodejs", "wasm"]), "node"),
      entry: z.optional(z.string().check(z.minLength(1))),
      /** The module the CLI imports to run the plugin's commands (default: the entry). */
      commands_entry: z.optional(z.string().check(z.minLength(1))),
      api: z._default(z.string().check(z.refine((v) => semver.validRange(v) !== null, { message: "is not a semver range (e.g. ^1)" })), "^1"),
      priority: z._default(z.number().check(z.int(), z.minimum(-1_000_000), z.maximum(1_000_000)), 0),
      config_key: z.optional(z.string().check(z.regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, "must be a config.toml section name, e.g. memory or interfaces.telegram"))),
      /** The JSON Schema of its config section, written by its build (relative to the plugin directory). */
      config_schema: z.optional(z.string().check(z.minLength(1))),
      /** Runs only under `aleph start`; a kernel started for one command never loads it. */
      daemon: z._default(z.boolean(), false),
      /** Its definition contributes `aleph doctor` checks. */
      doctor: z._default(z.boolean(), false),
    }),
    services: z._default(z.strictObject({ provides: serviceIds(), requires: serviceIds(), optional: serviceIds() }), { provides: [], requires: [], optional: [] }),
    permissions: z.optional(
      z.strictObject({
        allowed_paths: z._default(z.record(z.string(), z.string()), {}),
        allowed_hosts: z._default(z.array(z.string().check(z.minLength(1))), []),
      }),
    ),
    limits: z.optional(
      z.strictObject({
        timeout_ms: z.optional(z.number().check(z.int(), z.positive(), z.maximum(600_000))),
        memory_mb: z.optional(z.number().check(z.int(), z.positive(), z.maximum(4096))),
      }),
    ),
    hooks: z.optional(z.array(z.strictObject({ event: z.string().check(z.minLength(1)), handler: z.string().check(z.regex(EXPORT_NAME, "is not an export name")) }))),
    tools: z.optional(
      z.array(
        z.strictObject({
          name: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, "tool names are lowercase snake_case")),
          description: z.string().check(z.minLength(1)),
          handler: z.string().check(z.regex(EXPORT_NAME, "is not an export name")),
          parameters: z._default(z.record(z.string(), z.unknown()), { type: "object" }),
        }),
      ),
    ),
    commands: z.optional(commandsSchema()),
    /** Data for other plugins to read: a contribution name → paths inside the plugin directory. */
    contributes: z.optional(z.record(z.string(), z.array(z.string().check(z.minLength(1, "is empty: give a path relative to the plugin directory"))))),
  });
}

let manifestSchema: ReturnType<typeof buildManifestFileSchema> | undefined;

function manifestFileSchema(): ReturnType<typeof buildManifestFileSchema> {
  return (manifestSchema ??= buildManifestFileSchema());
}

export type ManifestResult =
  | { ok: true; manifest: PluginManifest }
  | { ok: false; error: AlephError; /** The id, when the file got far enough to say it. */ id?: string };

/** Best-effort id from a broken manifest, so the failure is reported under the right name. */
function readableId(raw: unknown): string | undefined {
  const id = (raw as { plugin?: { id?: unknown } } | undefined)?.plugin?.id;
  return typeof id === "string" && PLUGIN_ID_PATTERN.test(id) ? id : undefined;
}

function manifestError(file: string, messages: { path: string; message: string; line?: number }[]): AlephError {
  const first = messages[0];
  const detail = messages.map((m) => `${m.path ? `${m.path}: ` : ""}${m.message}${m.line ? ` (line ${m.line})` : ""}`).join("; ");
  return new AlephError("ALEPH_E_MANIFEST", `invalid plugin manifest: ${detail}`, {
    file,
    line: first?.line,
    fix: "correct the manifest; docs/plugins.md lists every key",
  });
}

/**
 * Parses and validates an aleph_plugin.toml. Unknown keys are errors reported with the key;
 * nothing of the plugin is executed.
 */
export function parseManifest(text: string, file: string, pluginDir: string): ManifestResult {
  const parsed = parseToml(text, file);
  if (!parsed.ok) return { ok: false, error: manifestError(file, [parsed.issue]) };
  return validateManifest(parsed.value, file, pluginDir, text);
}

/** Validates a manifest already in object form (the TOML shape, snake_case keys). */
export function validateManifest(raw: unknown, file: string, pluginDir: string, text = ""): ManifestResult {
  const id = readableId(raw);
  const result = manifestFileSchema().safeParse(raw);
  if (!result.success) {
    return { ok: false, id, error: manifestError(file, zodIssues(result.error, file, text)) };
  }
  const m = result.data;
  const kind = m.plugin.kind === "wasm" ? "wasm" : "node";
  const problems: { path: string; message: string }[] = [];
  if (kind === "node") {
    for (const key of ["permissions", "limits", "hooks", "tools"] as const) {
      if (m[key] !== undefined) {
        problems.push({ path: key, message: `[${key}] applies to wasm plugins only; a node plugin uses ctx.events and ctx.services` });
      }
    }
  }
  const entry = m.plugin.entry ?? (kind === "wasm" ? "plugin.wasm" : "dist/index.js");
  if (isAbsolute(entry) || relative(pluginDir, resolve(pluginDir, entry)).startsWith("..")) {
    return {
      ok: false,
      id,
      error: new AlephError("ALEPH_E_ENTRY", `entry "${entry}" is outside the plugin directory`, {
        file,
        fix: "point entry at a file inside the plugin directory, e.g. dist/index.js",
      }),
    };
  }
  const { provides, requires, optional } = m.services;
  for (const s of requires) if (optional.includes(s)) problems.push({ path: "services", message: `"${s}" is both required and optional` });
  for (const s of provides) if (requires.includes(s)) problems.push({ path: "services", message: `"${s}" is both provided and required by the same plugin` });
  const toolNames = new Set<string>();
  for (const t of m.tools ?? []) {
    if (toolNames.has(t.name)) problems.push({ path: "tools", message: `tool "${t.name}" is declared twice` });
    toolNames.add(t.name);
  }
  const commandsEntry = m.plugin.commands_entry;
  if (commandsEntry !== undefined) {
    if (kind === "wasm") problems.push({ path: "plugin.commands_entry", message: "a wasm plugin has no commands" });
    else if (isAbsolute(commandsEntry) || relative(pluginDir, resolve(pluginDir, commandsEntry)).startsWith("..")) {
      problems.push({ path: "plugin.commands_entry", message: `"${commandsEntry}" is outside the plugin directory` });
    }
  }
  const schemaFile = m.plugin.config_schema;
  if (schemaFile !== undefined && (isAbsolute(schemaFile) || relative(pluginDir, resolve(pluginDir, schemaFile)).startsWith(".."))) {
    problems.push({ path: "plugin.config_schema", message: `"${schemaFile}" is outside the plugin directory` });
  }
  problems.push(...commandProblems(m.commands ?? [], kind));
  problems.push(...contributionProblems(m.contributes ?? {}, pluginDir));
  if (problems.length > 0) return { ok: false, id, error: manifestError(file, problems) };
  // [[tools]] are registered with the `tools` service: declaring them declares an optional use of
  // it, so the registry loads first and the tools arrive when one is active.
  const implied = (m.tools?.length ?? 0) > 0 && !requires.includes("tools") && !optional.includes("tools") ? ["tools"] : [];

  return {
    ok: true,
    manifest: {
      id: m.plugin.id,
      version: m.plugin.version,
      name: m.plugin.name ?? m.plugin.id,
      description: m.plugin.description ?? "",
      kind,
      entry,
      ...(commandsEntry !== undefined ? { commandsEntry } : {}),
      api: m.plugin.api,
      priority: m.plugin.priority,
      configKey: m.plugin.config_key ?? m.plugin.id,
      configSchema: m.plugin.config_schema ?? "dist/config.schema.json",
      services: { provides: [...new Set(provides)], requires: [...new Set(requires)], optional: [...new Set([...optional, ...implied])] },
      permissions: { allowedPaths: m.permissions?.allowed_paths ?? {}, allowedHosts: m.permissions?.allowed_hosts ?? [] },
      limits: { timeoutMs: m.limits?.timeout_ms, memoryMb: m.limits?.memory_mb },
      hooks: m.hooks ?? [],
      tools: (m.tools ?? []).map((t) => ({ name: t.name, description: t.description, handler: t.handler, parameters: t.parameters })),
      commands: (m.commands ?? []).map(toCommandDeclaration),
      daemon: m.plugin.daemon,
      doctor: m.plugin.doctor,
      contributes: Object.fromEntries(Object.entries(m.contributes ?? {}).map(([key, values]) => [key, [...new Set(values)]])),
    },
  };
}

/** Contributed paths must stay inside the plugin directory: another plugin reads them as this plugin's files. */
function contributionProblems(contributes: Record<string, string[]>, pluginDir: string): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [key, values] of Object.entries(contributes)) {
    if (!CONTRIBUTION_KEY_PATTERN.test(key)) {
      problems.push({ path: `contributes.${key}`, message: `"${key}" is not a contribution name: use ${CONTRIBUTION_KEY_RULE}` });
      continue;
    }
    for (const value of values) {
      if (value.includes("\0")) problems.push({ path: `contributes.${key}`, message: `"${value}" contains a NUL byte` });
      else if (isAbsolute(value) || relative(pluginDir, resolve(pluginDir, value)).startsWith("..")) {
        problems.push({ path: `contributes.${key}`, message: `"${value}" is outside the plugin directory: give a path relative to it, e.g. "${key}/"` });
      }
    }
  }
  return problems;
}

/** Checks the manifest's `api` range against the host's plugin API version. */
export function checkApi(manifest: PluginManifest, hostApi: string, file: string): AlephError | undefined {
  if (semver.satisfies(hostApi, manifest.api, { includePrerelease: true })) return undefined;
  return new AlephError("ALEPH_E_API", `plugin "${manifest.id}" supports plugin API ${manifest.api}, this host provides ${hostApi}`, {
    file,
    fix: `update the plugin to a release built for API ${semver.major(hostApi)}.x, or set api = "^${semver.major(hostApi)}" if it is compatible`,
  });
}
