import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { AlephError, errorMessage, isAlephError, validateId } from "@aleph/plugin-sdk";
import { DEFAULT_SOUL } from "./default-soul.js";
import { parseSoul } from "./parse-soul.js";
import { checkSoulSize, MAX_SOUL_BYTES, readSoulFile } from "./read-soul-file.js";
import type { IdentityIssue, IdentityLayerName, ParsedSoul } from "./types.js";

export interface IdentityLayerOptions {
  /** The state root (`ctx.paths.root`); `<root>/soul.md` is the global layer. */
  root: string;
  /** The agent whose workspace SOUL.md is a layer; a safe id (no `/`, `..`), else ALEPH_E_INVALID_ID. */
  agentId: string;
  /** Where the project layer is searched from, walking up. */
  cwd: string;
  /** The session's override, soul Markdown held by the identity service; undefined: none. */
  sessionOverride?: string;
  /** The session key of the override, to label its source (`session:<key>`). */
  sessionKey?: string;
  /**
   * The agent's Markdown workspace, default `<root>/agents/<agentId>/workspace`. Pass
   * `ctx.paths.workspace` for the default agent so that ALEPH_WORKSPACE is honoured.
   */
  workspaceDir?: string;
  /** Replaces the built-in default layer (embedders, tests); "" makes it contribute nothing. */
  defaultSoul?: string;
  /** Size cap per file and for the override, bytes; default MAX_SOUL_BYTES (256 KiB). */
  maxBytes?: number;
}

/** One layer as found and read: `soul` when usable, `error` when present but skipped. */
export interface LoadedLayer {
  layer: IdentityLayerName;
  path: string;
  present: boolean;
  soul?: ParsedSoul;
  error?: IdentityIssue;
}

export const PROJECT_SOUL = join(".soul", "identity.md");
export const DEFAULT_SOUL_LABEL = "builtin:default";

/**
 * The nearest `.soul/identity.md` from `cwd` up to the filesystem root, or undefined. The
 * nearest path that exists at all is the project's, even when it turns out unreadable or not a
 * file: the read then reports it, rather than the walk quietly going on to an enclosing
 * project's identity that was never meant for this one.
 */
export async function findProjectSoul(cwd: string): Promise<string | undefined> {
  const candidates: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    candidates.push(join(dir, PROJECT_SOUL));
    if (dirname(dir) === dir) break; // the filesystem root is checked too
  }
  // Every ancestor at once (this runs on each agent turn), then the nearest that exists wins.
  const found = await Promise.all(
    candidates.map((candidate) =>
      stat(candidate).then(
        () => true,
        (error: NodeJS.ErrnoException) => error.code !== "ENOENT" && error.code !== "ENOTDIR",
      ),
    ),
  );
  const nearest = found.indexOf(true);
  return nearest < 0 ? undefined : candidates[nearest];
}

function toIssue(error: unknown, path: string): IdentityIssue {
  const issue: IdentityIssue = isAlephError(error)
    ? { code: error.code, message: error.message, fix: error.fix, file: error.file, line: error.line }
    : { code: "ALEPH_E_IDENTITY", message: errorMessage(error), file: path };
  // Leave out what is unknown, so the issue serialises the same over RPC as in tests.
  for (const key of ["fix", "file", "line"] as const) if (issue[key] === undefined) delete issue[key];
  return issue;
}

/** Parses a layer's text; a layer that cannot be used is reported and skipped, never thrown. */
function fromText(layer: IdentityLayerName, path: string, text: string, maxBytes: number): LoadedLayer {
  try {
    checkSoulSize(text, path, maxBytes);
    return { layer, path, present: true, soul: parseSoul(text, path) };
  } catch (error) {
    return { layer, path, present: true, error: toIssue(error, path) };
  }
}

async function fromFile(layer: IdentityLayerName, path: string, maxBytes: number): Promise<LoadedLayer> {
  let text: string | undefined;
  try {
    text = await readSoulFile(path, maxBytes);
  } catch (error) {
    return { layer, path, present: true, error: toIssue(error, path) };
  }
  if (text === undefined) return { layer, path, present: false };
  return fromText(layer, path, text, maxBytes);
}

function sessionLayer(options: IdentityLayerOptions, maxBytes: number): LoadedLayer {
  const path = options.sessionKey ? `session:${options.sessionKey}` : "session";
  const text: unknown = options.sessionOverride;
  if (text === undefined) return { layer: "session", path, present: false };
  if (typeof text !== "string") {
    const error = new AlephError("ALEPH_E_IDENTITY", `the session override must be soul Markdown (a string), got ${text === null ? "null" : typeof text}`, {
      file: path,
      fix: "set the override to a string, or clear it",
    });
    return { layer: "session", path, present: true, error: toIssue(error, path) };
  }
  return fromText("session", path, text, maxBytes);
}

/**
 * Finds and reads every layer, highest first: session override, project `.soul/identity.md`,
 * the agent's workspace `SOUL.md`, global `<root>/soul.md`, the built-in default. Throws only
 * for an invalid agent id (a caller's mistake, refused before it becomes a path); every
 * problem with a file or the override is returned on its layer.
 */
export async function loadLayers(options: IdentityLayerOptions): Promise<LoadedLayer[]> {
  const agentId = validateId("agent id", options.agentId);
  const maxBytes = options.maxBytes ?? MAX_SOUL_BYTES;
  const root = resolve(options.root);
  const cwd = resolve(options.cwd);
  const workspace = options.workspaceDir ? resolve(options.workspaceDir) : join(root, "agents", agentId, "workspace");
  const projectFile = await findProjectSoul(cwd);
  const [project, agent, global] = await Promise.all([
    // Not found anywhere up the tree: reported at the cwd, where one would be created.
    projectFile ? fromFile("project", projectFile, maxBytes) : { layer: "project" as const, path: join(cwd, PROJECT_SOUL), present: false },
    fromFile("agent", join(workspace, "SOUL.md"), maxBytes),
    fromFile("global", join(root, "soul.md"), maxBytes),
  ]);
  const builtin = fromText("default", DEFAULT_SOUL_LABEL, options.defaultSoul ?? DEFAULT_SOUL, maxBytes);
  return [sessionLayer(options, maxBytes), project, agent, global, builtin];
}
