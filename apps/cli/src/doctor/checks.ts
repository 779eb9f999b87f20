import { existsSync } from "node:fs";
import { mkdirPrivateSync, SecretRedactor } from "@aleph/plugin-sdk";
import { checkDatabases } from "./databases.js";
import { checkPermissions } from "./permissions.js";
import { join } from "node:path";
import { dataSectionIssues, formatIssue, loadConfig, readConfigSchemaData, sectionSource, vaultOptions, type AlephPaths, type BundledPlugin } from "@aleph/kernel";
import { assessOffline, listPluginsOffline, verdictOf } from "../offline-plugins.js";
import { describeConflict, readCommandIndex } from "../plugin-commands/command-index.js";

/** One finding: what is wrong, where, how to fix it, and whether `--fix` can (by creating, or by tightening permissions). */
export interface Finding {
  check: string;
  ok: boolean;
  message: string;
  path?: string;
  fix?: string;
  /** Creates what is missing or removes group/other permissions; never deletes or overwrites. */
  repair?: () => void | Promise<void>;
  /** What the repair did, for the `fixed` line (default: "created <path>"). */
  fixed?: string;
  /** A plugin finding's verdict, as `plugins list` gives it: status and, when it fails, the code. */
  verdict?: { id: string; source: string; status: string; code?: string };
}

export interface DoctorContext {
  paths: AlephPaths;
  env: NodeJS.ProcessEnv;
  cwd: string;
  bundled: BundledPlugin[];
}

/** The directories of the tree that `aleph init` creates (agents/ is the workspace plugin's, checked by its doctor). */
const TREE = ["plugins", "logs", "run", "memory", "skills", "protocols", "chat", "audit"];

export function checkTree({ paths }: DoctorContext): Finding[] {
  if (!existsSync(paths.root)) {
    return [{ check: "tree", ok: false, message: "the state root does not exist", path: paths.root, fix: "run `aleph init`" }];
  }
  const dirs = [...TREE.map((d) => join(paths.root, d)), paths.credentialsDir];
  return dirs.map((dir) =>
    existsSync(dir)
      ? { check: "tree", ok: true, message: "present", path: dir }
      : {
          check: "tree",
          ok: false,
          message: "missing directory",
          path: dir,
          fix: "`aleph doctor --fix` (or `aleph init`) creates it",
          repair: () => void mkdirPrivateSync(dir),
        },
  );
}

/**
 * config.toml and providers.toml, and each section a plugin that would load owns, by the JSON
 * Schema the plugin's build shipped (no plugin code runs; a plugin that ships none is left to
 * `aleph config check`, which may import it).
 */
export async function checkConfig({ paths, env, bundled }: DoctorContext): Promise<Finding[]> {
  const result = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  const fix = "correct the key named (see docs/config.md)";
  if (!result.ok) return result.issues.map((issue) => ({ check: "config", ok: false, message: formatIssue(issue), path: issue.file, fix }));
  const assessment = assessOffline(paths, bundled, env);
  const issues = [];
  for (const candidate of assessment.found.winners.values()) {
    const manifest = candidate.manifest;
    if (!manifest || assessment.verdicts.get(candidate.id)?.status !== "loads" || sectionSource(result.snapshot, manifest.configKey).value === undefined) continue;
    const data = readConfigSchemaData(candidate.dir, manifest);
    if (data.ok) issues.push(...(await dataSectionIssues(data.schema, manifest, result.snapshot)));
  }
  if (issues.length === 0) return [{ check: "config", ok: true, message: "config.toml and providers.toml are valid", path: paths.configFile }];
  // A plugin's schema may quote the value it refuses: scrub the config's secrets, as a log line would.
  const redactor = new SecretRedactor();
  redactor.set(result.snapshot.secrets);
  return issues.map((issue) => ({ check: "config", ok: false, message: redactor.redact(formatIssue(issue)), path: issue.file, fix }));
}

/**
 * Every plugin on every search path, with the kernel's static verdict (the one `plugins list`
 * prints without a kernel): only a plugin that would fail is a problem; disabled and overridden
 * copies are reported, not flagged. No plugin code runs.
 */
export function checkPlugins({ paths, env, bundled }: DoctorContext): Finding[] {
  return listPluginsOffline(paths, bundled, env).map((row) => {
    const verdict = verdictOf(row);
    const copy = row.status === "overridden" || row.runningInstead || row.disabledBy === "extensions.enabled" ? ` (${row.source} copy)` : "";
    const words = verdict.status === "active" ? `${row.version} (${row.source}) would load` : verdict.message;
    const fix = verdict.fix && row.runningInstead ? `${verdict.fix}, or remove ${row.path} to run the ${row.runningInstead.source} copy on purpose` : verdict.fix;
    return {
      check: "plugins",
      ok: verdict.status !== "failed",
      message: `${row.id}${copy}: ${words}`,
      path: row.error?.file ?? row.path,
      verdict: { id: row.id, source: row.source, status: verdict.status, ...(verdict.code ? { code: verdict.code } : {}) },
      ...(fix ? { fix } : {}),
    };
  });
}

/** Commands two plugins declare, or that name a kernel word: each is a problem (one declaration is ignored). */
export function checkCommands({ paths, bundled }: DoctorContext): Finding[] {
  const index = readCommandIndex(paths, bundled.filter((plugin): plugin is string => typeof plugin === "string"));
  return index.conflicts.map((conflict) => ({
    check: "commands",
    ok: false,
    message: describeConflict(conflict).replace(/ Fix: .*$/, ""),
    path: conflict.loser.manifestFile,
    fix: conflict.reason === "reserved" ? "rename the command in its [[commands]]" : "rename the command in one of the two manifests",
  }));
}

/**
 * The checks that run no plugin code, in the order they are printed. Capability plugins contribute
 * theirs (`[plugin] doctor = true`: the workspace plugin's agent checks), run after these.
 */
export const CHECKS: ((context: DoctorContext) => Finding[] | Promise<Finding[]>)[] = [checkTree, checkConfig, checkPermissions, checkPlugins, checkCommands, checkDatabases];
