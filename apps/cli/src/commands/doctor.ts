import { resolvePaths } from "@aleph/kernel";
import type { Command } from "../command.js";
import { bundledPlugins } from "../bundled.js";
import { CHECKS, type Finding } from "../doctor/checks.js";
import { configRedactor, pluginsWithChecks, runPluginChecks } from "../doctor/plugin-checks.js";
import { json, paint, useColor } from "../output.js";

export const doctorCommand: Command = {
  name: "doctor",
  summary: "Check the workspace: tree, config, permissions, plugins, agents, databases; exit 1 on problems",
  details: [
    "First the checks that run no plugin code (tree, config, permissions, every plugin's verdict, databases opened",
    "read-only); then the checks plugins contribute (`[plugin] doctor = true`), each plugin's in a child process",
    "that is stopped after 20 s, so a broken plugin cannot stop the report. Prints each problem with its fix.",
    "--fix creates what is missing (directories, an agent's seed files) and removes group/other permissions under",
    "the state root (never following a symbolic link); it never deletes or overwrites anything.",
  ].join("\n"),
  options: {
    json: { type: "boolean", description: "Print JSON: {ok, repaired, findings: [{check, ok, message, path?, fix?}]}" },
    fix: { type: "boolean", description: "Create what is missing and make everything under the root private" },
  },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const context = { paths, env, cwd, bundled: bundledPlugins() };
    const runChecks = async () => (await Promise.all(CHECKS.map((check) => check(context)))).flat();
    let findings: Finding[] = await runChecks();
    const repaired: Finding[] = [];
    if (options.fix) {
      for (const finding of findings.filter((f) => !f.ok && f.repair)) {
        await finding.repair!();
        repaired.push(finding);
      }
      if (repaired.length > 0) findings = await runChecks();
    }
    // Then each plugin's own checks, one child process each (with --fix, they repair what they can).
    const withChecks = pluginsWithChecks(paths, env, context.bundled);
    const redact = withChecks.length > 0 ? configRedactor(paths, env) : (text: string) => text;
    for (const id of withChecks) {
      for (const finding of await runPluginChecks(id, { env, cwd, fix: Boolean(options.fix), redact })) {
        if (finding.fixed) repaired.push(finding);
        findings.push(finding);
      }
    }
    const problems = findings.filter((f) => !f.ok);
    if (options.json) {
      out(json({ ok: problems.length === 0, repaired: repaired.map((f) => f.path), findings: findings.map(({ repair: _r, fixed: _f, ...f }) => f) }));
    } else {
      const color = useColor(process.stdout, env);
      for (const f of repaired) out(`${paint(color, "36", "fixed")}  ${f.check}: ${f.fixed ?? `created ${f.path}`}\n`);
      for (const f of problems) out(`${paint(color, "31", "✗")} ${f.check}: ${f.message}${f.path ? ` (${f.path})` : ""}${f.fix ? `\n    fix: ${f.fix}` : ""}\n`);
      out(problems.length === 0 ? `${paint(color, "32", "✓")} ${findings.length} checks passed (${paths.root})\n` : `${problems.length} problem${problems.length > 1 ? "s" : ""} found\n`);
    }
    return problems.length === 0 ? 0 : 1;
  },
};
