import { discoverPlugins, formatIssue, KERNEL_SECTIONS, loadConfig, pluginSearchPaths, resolvePaths, vaultOptions } from "@aleph/kernel";
import type { Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { configJsonSchema } from "../config-json-schema.js";
import { askKernel } from "../kernel-client.js";
import { json } from "../output.js";

export const configCheckCommand: Command = {
  name: "config check",
  summary: "Validate config.toml and providers.toml; exit 1 if invalid",
  details:
    "Checks syntax, ${ENV} and keys:<name> (vault) references and the kernel's sections. Plugin-owned sections\nare checked by their plugin's schema when the kernel runs; offline, a section no discovered plugin owns is a warning.",
  options: { json: { type: "boolean", description: "Print JSON: {ok, errors, warnings}" } },
  async run({ options, env, cwd, out, err }) {
    const paths = resolvePaths({ env, cwd });
    const result = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
    const errors = result.ok ? [] : result.issues;
    const warnings: string[] = [];
    if (result.ok) {
      const owned = new Set<string>(KERNEL_SECTIONS);
      const found = discoverPlugins(pluginSearchPaths(paths), bundledPlugins());
      for (const c of found.winners.values()) if (c.manifest) owned.add(c.manifest.configKey.split(".")[0]!);
      for (const section of Object.keys(result.snapshot.config)) {
        if (!owned.has(section)) warnings.push(`${paths.configFile}: [${section}] is not owned by the kernel or any discovered plugin (a typo?)`);
      }
    }
    if (options.json) {
      out(json({ ok: errors.length === 0, files: [paths.configFile, paths.providersFile], errors, warnings }));
    } else {
      for (const w of warnings) err(`warning: ${w}\n`);
      if (errors.length === 0) out(`ok: ${paths.configFile} and ${paths.providersFile} are valid\n`);
      else for (const e of errors) err(`${formatIssue(e)}\n`);
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
