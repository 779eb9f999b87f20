import { constants } from "node:fs";
import { access, lstat, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { agentDir, agentWorkspaceDir, RUNTIME_DIRS } from "./agent-id.js";
import { resolveFileSet, type FileSpec } from "./file-set.js";
import { entryPath, getPreset, type PresetName } from "./presets.js";

export type WorkspaceProblemCode =
  | "workspace-missing"   // the workspace directory is not there (or is not a directory)
  | "missing"             // a required file or directory is not there
  | "dangling-link"       // it is a symbolic link to nothing
  | "is-directory"        // a required file is a directory
  | "not-directory"       // a required directory (or a runtime directory) is a file
  | "unreadable"          // it exists but cannot be read
  | "runtime-dir-missing"; // agents/<id>/{sessions,state,prompts,context} is not there

export interface WorkspaceProblem {
  code: WorkspaceProblemCode;
  /** "error": the agent's prompt or runtime is broken; "warning": it works, with a fallback. */
  severity: "error" | "warning";
  /** The name relative to the workspace ("SOUL.md", "memory/"), or to the agent's directory for runtime dirs. */
  name: string;
  path: string;
  message: string;
  fix: string;
  /** True when seedAgent would repair it (it only creates what is missing). */
  seedable: boolean;
}

export interface CheckAgentWorkspaceOptions {
  root: string;
  agentId: string;
  preset: PresetName | string;
  workspaceDir?: string | undefined;
  /** Replaces the preset's required set. */
  required?: readonly string[] | undefined;
  /** The command that seeds this agent, named in fixes; default `aleph agents add <id>`. */
  seedCommand?: string | undefined;
}

type Probe =
  | { kind: "file" | "dir" | "other" }
  | { kind: "absent" }
  | { kind: "dangling" }
  | { kind: "error"; code: string };

async function probe(path: string): Promise<Probe> {
  try {
    const s = await stat(path);
    return { kind: s.isFile() ? "file" : s.isDirectory() ? "dir" : "other" };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "EIO";
    if (code !== "ENOENT" && code !== "ENOTDIR") return { kind: "error", code };
  }
  try {
    await lstat(path);
    return { kind: "dangling" };
  } catch {
    return { kind: "absent" };
  }
}

/** Opens and reads a byte: what loading the prompt will do. access() alone would not catch every case (e.g. EIO). */
async function readable(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, "r");
    try {
      await handle.read(Buffer.alloc(1), 0, 1, 0);
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

async function listable(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/**
 * Validates one agent's workspace for `aleph doctor`: every required file exists, is a file and can
 * be read; every required directory is a directory; the runtime directories are there. Optional
 * files are reported only when present but broken (a warning: the prompt falls back without them).
 * Returns the problems in the preset's order; an empty list means healthy.
 */
export async function checkAgentWorkspace(options: CheckAgentWorkspaceOptions): Promise<WorkspaceProblem[]> {
  const dir = agentDir(options); // validates the id
  const preset = getPreset(options.preset);
  const workspaceDir = agentWorkspaceDir(options);
  const seed = options.seedCommand ?? `aleph agents add ${options.agentId}`;
  const problems: WorkspaceProblem[] = [];

  const ws = await probe(workspaceDir);
  if (ws.kind !== "dir") {
    problems.push({
      code: "workspace-missing", severity: "error", name: ".", path: workspaceDir,
      message: ws.kind === "absent" ? "the agent's workspace does not exist" : `the agent's workspace is not a directory (${ws.kind === "error" ? ws.code : ws.kind})`,
      fix: ws.kind === "absent" ? `run \`${seed}\`: it creates only what is missing` : "move what is there aside, then seed the agent again",
      seedable: ws.kind === "absent",
    });
    return problems; // nothing inside can be checked
  }

  for (const spec of resolveFileSet(preset, { required: options.required })) {
    const problem = await checkOne(spec, entryPath(workspaceDir, spec.name), seed);
    if (problem) problems.push(problem);
  }

  for (const name of RUNTIME_DIRS) {
    const path = join(dir, name);
    const found = await probe(path);
    if (found.kind === "dir") continue;
    problems.push(
      found.kind === "absent"
        ? { code: "runtime-dir-missing", severity: "warning", name: `${name}/`, path, message: `runtime directory ${name}/ does not exist`, fix: `run \`${seed}\`: it creates only what is missing`, seedable: true }
        : { code: "not-directory", severity: "error", name: `${name}/`, path, message: `runtime directory ${name}/ is not a directory (${found.kind === "error" ? found.code : found.kind})`, fix: "move what is there aside, then seed the agent again", seedable: false },
    );
  }
  return problems;
}

async function checkOne(spec: FileSpec, path: string, seed: string): Promise<WorkspaceProblem | undefined> {
  const severity = spec.required ? "error" : "warning";
  const what = `${spec.required ? "required" : "optional"} ${spec.kind === "dir" ? "directory" : "file"} ${spec.name}`;
  const hasTemplate = spec.kind === "dir" || spec.entry?.template !== undefined;
  const base = { name: spec.name, path, severity } as const;
  const found = await probe(path);

  if (found.kind === "absent") {
    if (!spec.required) return undefined; // optional: the prompt falls back without it
    return {
      ...base, code: "missing", message: `${what} is missing`, seedable: hasTemplate,
      fix: hasTemplate ? `run \`${seed}\` to create it from the template, or write it yourself` : `write ${path} yourself (the preset has no template for it), or drop it from the agent's required list`,
    };
  }
  if (found.kind === "dangling") {
    return { ...base, code: "dangling-link", message: `${what} is a symbolic link to nothing`, fix: `point the link at an existing ${spec.kind}, or replace it with one`, seedable: false };
  }
  if (found.kind === "error") {
    return { ...base, code: "unreadable", message: `${what} cannot be inspected (${found.code})`, fix: `check the permissions of ${path} and its parent directories`, seedable: false };
  }
  if (spec.kind === "file") {
    if (found.kind === "dir") return { ...base, code: "is-directory", message: `${what} is a directory`, fix: `move the directory aside and create ${spec.name} as a file${hasTemplate ? ` (\`${seed}\` writes the template)` : ""}`, seedable: false };
    if (found.kind !== "file") return { ...base, code: "unreadable", message: `${what} is not a regular file`, fix: `replace ${path} with a regular file`, seedable: false };
    const error = await readable(path);
    if (error) return { ...base, code: "unreadable", message: `${what} cannot be read (${error})`, fix: `chmod u+r ${path}`, seedable: false };
    return undefined;
  }
  if (found.kind !== "dir") return { ...base, code: "not-directory", message: `${what} is not a directory`, fix: `move ${path} aside and create the directory`, seedable: false };
  const error = await listable(path);
  if (error) return { ...base, code: "unreadable", message: `${what} cannot be listed (${error})`, fix: `chmod u+rx ${path}`, seedable: false };
  return undefined;
}
