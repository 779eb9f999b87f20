import { errorMessage, SecretRedactor, type PluginManifest } from "@aleph/plugin-sdk";
import {
  assessmentRows,
  formatIssue,
  KERNEL_SECTIONS,
  loadConfig,
  loadNodePlugin,
  pluginSectionIssues,
  resolvePaths,
  sectionOf,
  vaultOptions,
  type Assessment,
  type ConfigSnapshot,
  type PluginSectionIssue,
} from "@aleph/kernel";
import { assessOffline, verdictOf } from "../offline-plugins.js";
import type { Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { configJsonSchema } from "../config-json-schema.js";
import { askKernel } from "../kernel-client.js";
import { json } from "../output.js";

export const configCheckCommand: Command = {
  name: "config check",
  summary: "Validate config.toml and providers.toml; exit 1 if invalid",
  details:
    "Checks syntax, ${ENV} and keys:<name> (vault) references, the kernel's sections, and each section a Node plugin\nthat would load owns, by that plugin's schema (its module is imported; its setup does not run). A section no\ndiscovered plugin owns is a warning. Each plugin that would not load is reported with the verdict `plugins list`\nand `doctor` give (a warning: the config itself may still be valid).",
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
  summary: "Print the JSON Schema of config.toml (with plugin sections when a kernel runs)",
  async run({ env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const live = await askKernel(paths, "config.schema").catch(() => undefined);
    out(json(live ?? configJsonSchema()));
    return 0;
  },
};

/**
 * Each section of config.toml that a Node plugin owns, checked by that plugin's schema: the
 * plugin's module is imported (as `aleph start` would) but its setup does not run. A plugin whose
 * module cannot be imported is a warning here; `aleph start` reports it as a failed plugin.
 */
async function checkPluginSections(assessment: Assessment, snapshot: ConfigSnapshot, warnings: string[]): Promise<PluginSectionIssue[]> {
  const issues: PluginSectionIssue[] = [];
  for (const candidate of assessment.found.winners.values()) {
    const manifest = candidate.manifest;
    // Only a plugin that would load is imported: the assessment already says why the others will not.
    if (!manifest || manifest.kind !== "node" || assessment.verdicts.get(candidate.id)?.status !== "loads") continue;
    if (sectionOf(snapshot.config, manifest.configKey) === undefined) continue; // defaults are the plugin's own
    try {
      const { definition } = await loadNodePlugin(candidate, 1, snapshot.config.extensions.setup_timeout_ms);
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
