import { lstat, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AlephError, mkdirPrivate } from "@aleph/plugin-sdk";
import { agentDir, agentWorkspaceDir, RUNTIME_DIRS } from "./agent-id.js";
import { createFileExclusive } from "./create-exclusive.js";
import { resolveFileSet } from "./file-set.js";
import { entryPath, getPreset, renderTemplate, type PresetName } from "./presets.js";

export interface SeedAgentOptions {
  /** The state root. */
  root: string;
  agentId: string;
  preset: PresetName | string;
  /** The agent's configured workspace (absolute, or relative to the root); default agents/<id>/workspace. */
  workspaceDir?: string | undefined;
  /** Replaces the preset's required set; required files that have a template are seeded. */
  required?: readonly string[] | undefined;
  /** Also seed the preset's optional files that are not seeded by default (default: CONTEXT.md, SKILLS.md). */
  withOptional?: boolean | undefined;
}

export interface SeedEntry {
  /** Absolute path. */
  path: string;
  kind: "file" | "dir";
}

export interface SeedConflict {
  path: string;
  problem: string;
}

export interface SeedResult {
  agentId: string;
  agentDir: string;
  workspaceDir: string;
  /** What this call created, in order: directories first, then files in the preset's order. */
  created: SeedEntry[];
  /** What was already there and was left alone. */
  existing: SeedEntry[];
  /** Something of the wrong kind is in the way (a file where a directory goes, or the reverse). Left alone. */
  conflicts: SeedConflict[];
  /** Required names with no template (from a `required` override) that do not exist: the user must write them. */
  missingRequired: string[];
}

type Outcome = "created" | "existing" | string;

/**
 * Creates a directory (0700, like everything under the state root) unless one is there; anything
 * else in the way is reported, never replaced.
 * mkdir decides in one step (recursive mkdir reports which directory it created first, or
 * nothing when the path was already a directory), so concurrent seedings do not trip each other.
 */
async function ensureDir(path: string): Promise<Outcome> {
  try {
    const made = await mkdirPrivate(path);
    return made === undefined ? "existing" : "created";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST" && code !== "ENOTDIR") return `cannot be created (${code ?? (error as Error).message})`;
  }
  try {
    return (await lstat(path)).isSymbolicLink() ? "is a symbolic link to nothing" : "exists and is not a directory";
  } catch {
    return "is blocked by a file in its parent path";
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Writes a seeded file unless something is there already. */
async function seedFile(path: string, content: string): Promise<Outcome> {
  if (await isDirectory(path)) return "is a directory, where a file is expected";
  await mkdirPrivate(dirname(path));
  return (await createFileExclusive(path, content)) ? "created" : "existing";
}

/**
 * Creates an agent's directories and writes the preset's files that are missing. It never
 * overwrites and never deletes: whatever exists — edited, emptied, or of the wrong kind — is left
 * exactly as it is, so seeding can run again at any time (on `aleph init`, `aleph agents add`,
 * `aleph doctor --fix`) to restore only what is missing.
 */
export async function seedAgent(options: SeedAgentOptions): Promise<SeedResult> {
  const dir = agentDir(options); // validates the id
  const preset = getPreset(options.preset);
  const workspaceDir = agentWorkspaceDir(options);
  const specs = resolveFileSet(preset, { required: options.required });
  const result: SeedResult = { agentId: options.agentId, agentDir: dir, workspaceDir, created: [], existing: [], conflicts: [], missingRequired: [] };

  const record = (path: string, kind: "file" | "dir", outcome: Outcome) => {
    if (outcome === "created") result.created.push({ path, kind });
    else if (outcome === "existing") result.existing.push({ path, kind });
    else result.conflicts.push({ path, problem: outcome });
  };

  record(dir, "dir", await ensureDir(dir));
  const workspaceOutcome = await ensureDir(workspaceDir);
  if (workspaceOutcome !== "created" && workspaceOutcome !== "existing") {
    throw new AlephError("ALEPH_E_CONFIG", `agent "${options.agentId}"'s workspace ${workspaceDir} ${workspaceOutcome}`, {
      file: workspaceDir,
      fix: "move what is there aside, or point the agent's workspace at a directory",
    });
  }
  record(workspaceDir, "dir", workspaceOutcome);
  for (const name of RUNTIME_DIRS) record(join(dir, name), "dir", await ensureDir(join(dir, name)));

  // The directories are made first; then the files are written concurrently (each one's fsync is
  // most of its cost, and the kernel waits for a new workspace's seeding before it is ready);
  // every outcome is recorded in the preset's order.
  const entries: { path: string; kind: "file" | "dir"; outcome: Outcome | (() => Promise<Outcome>) }[] = [];
  for (const spec of specs) {
    const path = entryPath(workspaceDir, spec.name);
    const wanted = spec.required || spec.entry?.seed === true || (options.withOptional === true && spec.entry !== undefined);
    if (!wanted) continue;
    if (spec.kind === "dir") {
      entries.push({ path, kind: "dir", outcome: await ensureDir(path) });
      continue;
    }
    const template = spec.entry?.template;
    if (template === undefined) {
      // A required file the preset has no template for: seeding does not invent content.
      try {
        await lstat(path);
        entries.push({ path, kind: "file", outcome: "existing" });
      } catch {
        result.missingRequired.push(spec.name);
      }
      continue;
    }
    entries.push({ path, kind: "file", outcome: () => seedFile(path, renderTemplate(template, options.agentId)) });
  }
  const outcomes = await Promise.all(entries.map((e) => (typeof e.outcome === "function" ? e.outcome() : e.outcome)));
  entries.forEach(({ path, kind }, i) => record(path, kind, outcomes[i]!));
  return result;
}
