import { errorMessage, SecretRedactor, type PluginManifest } from "@aleph/plugin-sdk";
import {
  assessmentRows,
  formatIssue,
  KERNEL_SECTIONS,
  loadableCandidate,
  loadConfig,
  dataSectionIssues,
  pluginSectionIssues,
  readConfigSchemaData,
  resolvePaths,
  sectionSource,
  vaultOptions,
  type Assessment,
  type ConfigSnapshot,
  type PluginSectionIssue,
} from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { assessOffline, verdictOf } from "../offline-plugins.js";
import type { Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { configJsonSchema, shippedSectionSchemas } from "../config-json-schema.js";
import { json } from "../output.js";

export const configCheckCommand: Command = {
  name: "config check",
  summary: "Validate config.toml and providers.toml; exit 1 if invalid",
  details:
    "Checks syntax, ${ENV} and keys:<name> (vault) references, the kernel's sections, and each section a plugin that\nwould load owns, by the JSON Schema its build shipped (or, for a plugin that ships none, its module's schema:\nimported, never set up). A section no\ndiscovered plugin owns is a warning. Each plugin that would not load is reported with the verdict `plugins list`\nand `doctor` give (a warning: the config itself may still be valid).",
  options: { json: { type: "boolean", description: "Print JSON: {ok, errors, warnings, plugins: [{id, source, path, status, code?, message, fix?}]}" } },
  async run({ options, env, cwd, out, err }) {
    const paths = resolvePaths({ env, cwd });
    const result = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
    const errors: { file: string; path: string; message: string; line?: number }[] = result.ok ? [] : [...result.issues];
    const warnings: string[] = [];
    const assessment = assessOffline(paths, bundledPlugins(), env);
    const plugins = assessmentRows(assessment).map(verdictOf);
    if (result.ok) {
      const owned = new Set<string>(KERNEL_SECTIONS);
      for (const manifest of everyManifest(assessment)) owned.add(manifest.configKey.split(".")[0]!);
      for (const section of Object.keys(result.snapshot.config)) {
        if (!owned.has(section)) warnings.push(`${paths.configFile}: [${section}] is not owned by the kernel or any discovered plugin (a typo?)`);
      }
      errors.push(...(await checkPluginSections(assessment, result.snapshot, warnings)));
    }
    // A plugin's schema may quote the value it refuses: scrub the config's secrets, as a log line would.
    const redactor = new SecretRedactor();
    if (result.ok) redactor.set(result.snapshot.secrets);
    if (options.json) {
      out(redactor.redact(json({ ok: errors.length === 0, files: [paths.configFile, paths.providersFile], errors, warnings, plugins })));
    } else {
      for (const w of warnings) err(redactor.redact(`warning: ${w}\n`));
      for (const v of plugins.filter((p) => p.status === "failed")) err(redactor.redact(`warning: plugin ${v.id} (${v.source}) will not load: ${v.message}\n`));
      if (errors.length === 0) out(`ok: ${paths.configFile} and ${paths.providersFile} are valid\n`);
      else for (const e of errors) err(redactor.redact(`${formatIssue(e)}\n`));
    }
    return errors.length === 0 ? 0 : 1;
  },
};

export const configSchemaCommand: Command = {
  name: "config schema",
  summary: "Print the JSON Schema of config.toml: the kernel's sections and every plugin's that ships one",
  details: "Plugin sections come from the JSON Schema each plugin's build writes (dist/config.schema.json); no plugin code runs.",
  async run({ env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    out(json(configJsonSchema(shippedSectionSchemas(assessOffline(paths, bundledPlugins(), env).found.winners.values()))));
    return 0;
  },
};


/**
 * Each section of config.toml that a plugin owns, checked by that plugin's schema: the JSON Schema
 * its build shipped (dist/config.schema.json), else — for a plugin that ships none — its module's,
 * imported as `aleph start` would but never set up. A plugin whose module cannot be imported is a
 * warning here; `aleph start` reports it as a failed plugin.
 */
async function checkPluginSections(assessment: Assessment, snapshot: ConfigSnapshot, warnings: string[]): Promise<PluginSectionIssue[]> {
  const issues: PluginSectionIssue[] = [];
  for (const candidate of assessment.found.winners.values()) {
    const manifest = candidate.manifest;
    // Only a plugin that would load is imported: the assessment already says why the others will not.
    if (!manifest || manifest.kind !== "node" || assessment.verdicts.get(candidate.id)?.status !== "loads") continue;
    if (sectionSource(snapshot, manifest.configKey).value === undefined) continue; // defaults are the plugin's own
    const data = readConfigSchemaData(candidate.dir, manifest);
    if (data.ok) {
      issues.push(...(await dataSectionIssues(data.schema, manifest, snapshot)));
      continue;
    }
    // No schema shipped as data (an unbuilt project, a schema that is not zod): import the module for
    // its schema, as `aleph start` would; its setup does not run.
    try {
      const { definition } = await loadNodePlugin(loadableCandidate(candidate), 1, snapshot.config.extensions.setup_timeout_ms);
      issues.push(...(await pluginSectionIssues(definition, manifest, snapshot)));
    } catch (error) {
      warnings.push(`[${manifest.configKey}] was not checked: plugin "${candidate.id}" could not be imported (${errorMessage(error)})`);
    }
  }
  // In the order of the file, as someone fixing them reads it.
  return issues.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

/** The manifests of every copy found, loading or not: a section a disabled or shadowed plugin owns is no typo. */
function everyManifest(assessment: Assessment): PluginManifest[] {
  const { found, switchedOff } = assessment;
  const copies = [...found.winners.values(), ...found.overridden.map((o) => o.candidate), ...found.shadowFailed.map((s) => s.candidate), ...switchedOff];
  return copies.flatMap((c) => (c.manifest ? [c.manifest] : []));
}
