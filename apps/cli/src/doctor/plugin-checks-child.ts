import { writeSync } from "node:fs";
import { AlephError, type DoctorFinding } from "@aleph/plugin-sdk";
import { discoverPlugins, pluginSearchPaths, resolvePaths } from "@aleph/kernel";
import { bundledPlugins } from "../bundled.js";
import { definitionOf, withPluginCode } from "../plugin-commands/run.js";
import type { CommandIo } from "../plugin-commands/io.js";
import { FINDINGS_FD } from "./plugin-checks.js";

/**
 * The child side of a plugin's doctor checks: runs the plugin's `doctor` against a kernel handle
 * and writes its findings as one JSON array to FINDINGS_FD. doctor (plugin-checks.ts) spawns it with a time limit.
 */
export async function runChildChecks(argv: string[], io: CommandIo): Promise<number> {
  const [id] = argv;
  const fix = argv.includes("--fix");
  const paths = resolvePaths({ env: io.env, cwd: io.cwd });
  const candidate = discoverPlugins(pluginSearchPaths(paths), bundledPlugins()).winners.get(id ?? "");
  if (!candidate || candidate.error) throw candidate?.error ?? new AlephError("ALEPH_E_NOT_FOUND", `no plugin "${id}"`);
  const findings = await withPluginCode({ id: candidate.id, daemon: candidate.manifest?.daemon === true, services: [], load: () => definitionOf(candidate) }, io, async (definition, kernel, paths) => {
    if (typeof definition.doctor !== "function") {
      throw new AlephError("ALEPH_E_ENTRY", `plugin "${candidate.id}" sets [plugin] doctor = true but its definition has no doctor()`, { file: candidate.manifestFile, fix: "add doctor: async ({ kernel }) => [...] to its definePlugin({ … }), or remove doctor = true" });
    }
    return (await definition.doctor({ kernel, paths: { root: paths.root, configFile: paths.configFile, workspace: paths.workspaceDir }, env: io.env, cwd: io.cwd, fix })) as DoctorFinding[];
  });
  const answer = JSON.stringify(findings) + "\n";
  try {
    writeSync(FINDINGS_FD, answer);
  } catch {
    io.out(answer); // run by hand, without the descriptor doctor opens
  }
  return 0;
}
