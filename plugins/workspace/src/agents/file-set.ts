import { AlephError } from "@aleph/plugin-sdk";
import { isDirName, type PresetEntry, type WorkspacePreset } from "./presets.js";
import { explainUnsafeRelative, quoted } from "./relative-path.js";

/** One file or directory of an agent's workspace, after the per-agent overrides are applied. */
export interface FileSpec {
  name: string;
  kind: "file" | "dir";
  required: boolean;
  /** "preset": in the preset's own list; "override": named only by the caller's required/optional. */
  listedBy: "preset" | "override";
  /** The preset's entry, when the preset knows this name (for its template and role). */
  entry?: PresetEntry;
}

export interface FileSetOverrides {
  /** Replaces the preset's required set (config: the agent's `required`). */
  required?: readonly string[] | undefined;
  /** Replaces the preset's optional set; by default every preset entry that is not required. */
  optional?: readonly string[] | undefined;
}

function checkName(name: unknown, list: string): string {
  const problem = typeof name === "string" && (name === "" || name === "/" || name === "." || name === "./") ? "is empty" : explainUnsafeRelative(name);
  if (problem) {
    throw new AlephError("ALEPH_E_CONFIG", `workspace file ${quoted(name)} in ${list} ${problem}`, {
      fix: `name files relative to the agent's workspace, e.g. "SOUL.md" or "memory/", without ".."`,
    });
  }
  return name as string;
}

/**
 * The workspace's files and directories in order: the preset's entries that are required or
 * optional (in the preset's order), then names the preset does not know (required before optional,
 * each in the order given). A name in both lists is required. Names come from config, so a name
 * that could leave the workspace is a config error.
 */
export function resolveFileSet(preset: WorkspacePreset, overrides: FileSetOverrides = {}): FileSpec[] {
  const required = overrides.required?.map((n) => checkName(n, "required")) ?? preset.entries.filter((e) => e.required).map((e) => e.name);
  const requiredSet = new Set(required);
  const optional = overrides.optional?.map((n) => checkName(n, "optional")) ?? preset.entries.map((e) => e.name).filter((n) => !requiredSet.has(n));
  const listed = new Set([...required, ...optional]);
  const known = new Set(preset.entries.map((e) => e.name));
  const specs: FileSpec[] = [];
  for (const entry of preset.entries) {
    if (!listed.has(entry.name)) continue;
    specs.push({ name: entry.name, kind: isDirName(entry.name) ? "dir" : "file", required: requiredSet.has(entry.name), listedBy: "preset", entry });
  }
  const seen = new Set(known);
  for (const name of [...required, ...optional]) {
    if (seen.has(name)) continue;
    seen.add(name);
    specs.push({ name, kind: isDirName(name) ? "dir" : "file", required: requiredSet.has(name), listedBy: "override" });
  }
  return specs;
}
