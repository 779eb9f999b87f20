import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";
import { resolveFileSet } from "./file-set.js";
import { entryPath, getPreset, type PresetName } from "./presets.js";
import { decodeUtf8, isIntentionallyEmpty } from "./text.js";
import { trimToLimit } from "./truncate.js";

export type BootstrapStatus = "loaded" | "missing" | "empty" | "truncated";

/** Sizes in characters (JS string length after UTF-8 decoding). They come from config; nothing here has defaults. */
export interface BootstrapLimits {
  /** At most this many characters of any one file, marker included. */
  perFileChars: number;
  /** At most this many characters of all files together, spent in prompt order. */
  totalChars: number;
}

/** Suggested values for the config schema's defaults. bootstrapContext never applies them by itself. */
export const SUGGESTED_BOOTSTRAP_LIMITS: Readonly<BootstrapLimits> = { perFileChars: 20_000, totalChars: 150_000 };

export interface BootstrapProvenance {
  preset: PresetName;
  /** "preset": a file the preset knows; "override": named only by the caller's required/optional. */
  listedBy: "preset" | "override";
  /** sha256 (hex) of the file's bytes as read: before BOM stripping and trimming. Absent when not read. */
  sha256?: string;
  /** Size of the file in bytes. Absent when not read. */
  bytes?: number;
  /** Which limit cut it, when it was cut. */
  limitedBy?: "perFileChars" | "totalChars";
}

export interface BootstrapFile {
  /** Name relative to the workspace, e.g. "SOUL.md". */
  name: string;
  /** Absolute path. */
  path: string;
  status: BootstrapStatus;
  /** Missing and required: the caller decides (refuse to start, warn, or go on). */
  required: boolean;
  /** Length of `content`. */
  chars: number;
  /** Length of the whole decoded file; 0 when missing. */
  originalChars: number;
  /** What goes into the prompt: "" when missing or empty; the kept head plus the marker when truncated. */
  content: string;
  provenance: BootstrapProvenance;
  /** Why a file that exists counts as missing (a directory, unreadable). */
  problem?: string;
}

export interface BootstrapTotals {
  files: number;
  loaded: number;
  truncated: number;
  empty: number;
  missing: number;
  /** Sum of `chars`: never more than limits.totalChars. */
  chars: number;
  originalChars: number;
}

export interface BootstrapContext {
  workspaceDir: string;
  preset: PresetName;
  limits: BootstrapLimits;
  /** In prompt order. */
  files: BootstrapFile[];
  totals: BootstrapTotals;
  /** Names of required files that are missing, in order. */
  missingRequired: string[];
}

export interface BootstrapContextOptions {
  workspaceDir: string;
  preset: PresetName | string;
  limits: BootstrapLimits;
  /** Replaces the preset's required set. */
  required?: readonly string[] | undefined;
  /** Replaces the preset's optional set. */
  optional?: readonly string[] | undefined;
}

function checkLimit(name: keyof BootstrapLimits, value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new AlephError("ALEPH_E_CONFIG", `bootstrap limit ${name} must be a whole number of characters, 0 or more, got ${JSON.stringify(value)}`, {
    fix: `set ${name} to a non-negative integer`,
  });
}

type Read = { ok: true; bytes: Buffer } | { ok: false; absent: boolean; problem?: string };

async function readBytes(path: string): Promise<Read> {
  try {
    return { ok: true, bytes: await readFile(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { ok: false, absent: true };
    if (code === "EISDIR") return { ok: false, absent: false, problem: "is a directory" };
    return { ok: false, absent: false, problem: `cannot be read (${code ?? (error as Error).message})` };
  }
}

/**
 * The workspace files that make up an agent's system prompt, in the preset's order, each with its
 * status and what to put in the prompt:
 * - missing (optional or required, or unreadable): no content, the prompt goes on without it;
 *   `required` tells the caller whether that is acceptable;
 * - empty (blank, or comment-only HEARTBEAT.md): intentionally empty, no content;
 * - loaded: the whole file;
 * - truncated: cut to the per-file limit, then to what is left of the total limit, at a line
 *   boundary when possible, with a marker naming the file and both sizes.
 * Directories in the file set (memory/) are not prompt material and are left out. Files are read
 * as UTF-8 with a BOM stripped; the same files and limits give the same result byte for byte.
 * Symbolic links are followed: the workspace is the user's own, and a shared SOUL.md is a link.
 */
export async function bootstrapContext(options: BootstrapContextOptions): Promise<BootstrapContext> {
  const preset = getPreset(options.preset);
  const limits = { perFileChars: checkLimit("perFileChars", options.limits?.perFileChars), totalChars: checkLimit("totalChars", options.limits?.totalChars) };
  const workspaceDir = resolve(options.workspaceDir);
  const specs = resolveFileSet(preset, { required: options.required, optional: options.optional }).filter((s) => s.kind === "file");

  const files: BootstrapFile[] = [];
  let remaining = limits.totalChars;
  // Read at once (this runs on each agent turn); the limits are applied in the preset's order below.
  const reads = await Promise.all(specs.map((spec) => readBytes(entryPath(workspaceDir, spec.name))));
  for (const [index, spec] of specs.entries()) {
    const path = entryPath(workspaceDir, spec.name);
    const provenance: BootstrapProvenance = { preset: preset.name, listedBy: spec.listedBy };
    const base = { name: spec.name, path, required: spec.required, provenance };
    const read = reads[index]!;
    if (!read.ok) {
      files.push({ ...base, status: "missing", chars: 0, originalChars: 0, content: "", ...(read.problem ? { problem: read.problem } : {}) });
      continue;
    }
    provenance.sha256 = createHash("sha256").update(read.bytes).digest("hex");
    provenance.bytes = read.bytes.length;
    const text = decodeUtf8(read.bytes);
    if (isIntentionallyEmpty(spec.name, text)) {
      files.push({ ...base, status: "empty", chars: 0, originalChars: text.length, content: "" });
      continue;
    }
    const limit = Math.min(limits.perFileChars, remaining);
    const trimmed = trimToLimit(spec.name, text, limit);
    if (trimmed.truncated) provenance.limitedBy = remaining < limits.perFileChars ? "totalChars" : "perFileChars";
    remaining -= trimmed.content.length;
    files.push({ ...base, status: trimmed.truncated ? "truncated" : "loaded", chars: trimmed.content.length, originalChars: text.length, content: trimmed.content });
  }

  const count = (status: BootstrapStatus) => files.filter((f) => f.status === status).length;
  return {
    workspaceDir,
    preset: preset.name,
    limits,
    files,
    totals: {
      files: files.length,
      loaded: count("loaded"),
      truncated: count("truncated"),
      empty: count("empty"),
      missing: count("missing"),
      chars: files.reduce((sum, f) => sum + f.chars, 0),
      originalChars: files.reduce((sum, f) => sum + f.originalChars, 0),
    },
    missingRequired: files.filter((f) => f.required && f.status === "missing").map((f) => f.name),
  };
}
