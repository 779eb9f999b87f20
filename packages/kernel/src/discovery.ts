import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";
import { AlephError, isAlephError, PLUGIN_API_VERSION, type PluginDefinition, type PluginManifest, type PluginSource } from "@aleph/plugin-sdk";
import { resolveEntry } from "./entry.js";
import { duplicateId, unreadableManifest } from "./host-failures.js";
import { checkApi, parseManifest, validateManifest } from "./manifest.js";
import { SOURCE_PRECEDENCE, type PluginSearchPath } from "./paths.js";
import { manifestFileIn, pluginDirsIn } from "./plugin-dirs.js";

/**
 * A bundled plugin: a directory; a directory with the manifest its launcher's build validated; or
 * (for tests and embedders) a manifest and definition in memory.
 */
export type BundledPlugin = string | PrevalidatedPlugin | InlinePlugin;

/**
 * A bundled plugin's directory and its manifest as the launcher's build parsed and validated it
 * (with the same kernel code), so a start does not parse and validate it again. It is used only
 * while the manifest file still has the content it was made from (its sha256); a manifest edited
 * since is read as any other.
 */
export interface PrevalidatedPlugin {
  dir: string;
  manifestSha256: string;
  manifest: PluginManifest;
}

/** The sha256 (hex) a PrevalidatedPlugin records of its manifest file's text. */
export function manifestDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface InlinePlugin {
  /** The manifest in the TOML file's shape: `{ plugin: { id, version }, services: { provides } }`. */
  manifest: Record<string, unknown>;
  definition: PluginDefinition<any>;
  /** A directory to report as its path; defaults to `<inline:id>`. */
  dir?: string;
}

/** One plugin directory found on a search path, valid or not. */
export interface PluginCandidate {
  source: PluginSource;
  dir: string;
  realDir: string;
  manifestFile: string;
  /** The manifest id, or the directory name when the manifest is unreadable. */
  id: string;
  manifest?: PluginManifest;
  error?: AlephError;
  inline?: PluginDefinition<unknown>;
  /** The entry's real path, set by the host (resolveEntry) just before a loader runs. */
  entryFile?: string;
}

export interface DiscoveryResult {
  /** The candidate that owns each id: the copy that runs (see discoverPlugins for the rule). */
  winners: Map<string, PluginCandidate>;
  overridden: { candidate: PluginCandidate; by: PluginCandidate }[];
  /**
   * Stronger copies of an id that failed before setup (manifest, api, entry; `candidate.error`
   * says how), so a weaker copy — `running` — owns the id instead.
   */
  shadowFailed: { candidate: PluginCandidate; running: PluginCandidate }[];
  /** Candidates that lost for another reason (same id twice in one source). */
  duplicates: PluginCandidate[];
}

export interface DiscoveryOptions {
  /** The plugin API this host provides; a copy whose `api` range excludes it cannot run. Default: the SDK's. */
  hostApi?: string;
  /** The real directory whose code runs for an id now, if any (the host knows; offline nothing runs). */
  runningDir?: (id: string) => string | undefined;
}

/**
 * What stops a copy before any of its code runs: its manifest, its api range, its entry file.
 * Inline plugins have their code already.
 */
export function preflightError(candidate: PluginCandidate, hostApi: string): AlephError | undefined {
  if (candidate.error) return candidate.error;
  const invalid = checkApi(candidate.manifest!, hostApi, candidate.manifestFile);
  if (invalid || candidate.inline) return invalid;
  try {
    resolveEntry(candidate);
    return undefined;
  } catch (error) {
    if (isAlephError(error)) return error as AlephError;
    throw error;
  }
}

/** Reads one plugin directory's manifest into a candidate. Never executes plugin code. */
export function readCandidate(source: PluginSource, dir: string, known?: PrevalidatedPlugin): PluginCandidate | undefined {
  const manifestFile = manifestFileIn(dir);
  if (!manifestFile) return undefined;
  let realDir = dir;
  try {
    realDir = realpathSync(dir);
  } catch {
    // vanished while scanning; the watcher will tell us
  }
  let text: string;
  try {
    text = readFileSync(manifestFile, "utf8");
  } catch (error) {
    return {
      source, dir, realDir, manifestFile, id: basename(dir),
      error: unreadableManifest(manifestFile, error),
    };
  }
  if (known && manifestDigest(text) === known.manifestSha256) {
    // A copy: the scanned candidate must not share objects with the next scan's.
    return { source, dir, realDir, manifestFile, id: known.manifest.id, manifest: structuredClone(known.manifest) };
  }
  const result = parseManifest(text, manifestFile, dir);
  if (result.ok) return { source, dir, realDir, manifestFile, id: result.manifest.id, manifest: result.manifest };
  return { source, dir, realDir, manifestFile, id: result.id ?? basename(dir), error: result.error };
}

function inlineCandidate(plugin: InlinePlugin): PluginCandidate {
  const rawId = (plugin.manifest as { plugin?: { id?: unknown } }).plugin?.id;
  const dir = plugin.dir ?? `<inline:${String(rawId)}>`;
  const result = validateManifest(plugin.manifest, `${dir}/aleph_plugin.toml`, dir);
  const base = { source: "bundled" as const, dir, realDir: dir, manifestFile: `${dir}/aleph_plugin.toml`, inline: plugin.definition as PluginDefinition<unknown> };
  return result.ok ? { ...base, id: result.manifest.id, manifest: result.manifest } : { ...base, id: result.id ?? String(rawId), error: result.error };
}

/** Lists the plugin directories of one search path (immediate subdirectories holding a manifest). */
export function scanSearchPath(path: PluginSearchPath): PluginCandidate[] {
  const out: PluginCandidate[] = [];
  for (const dir of pluginDirsIn(path)) {
    const candidate = readCandidate(path.source, dir);
    if (candidate) out.push(candidate);
  }
  return out;
}

/**
 * Scans every search path and the bundled set, then decides which copy owns each id.
 * The ordering rule, in one place: a directory seen twice (same real path) counts once, in its
 * highest-precedence source; within one source the first directory by name owns an id and any
 * other is a duplicate; across sources user > system > project > bundled, and the first copy in
 * that order that can run owns the id. A stronger copy that cannot (broken manifest, api range,
 * missing entry) is `shadowFailed` — reported loudly, never silently skipped — and the weaker ones
 * are `overridden` by the owner. Two exceptions keep the old code in charge: the copy that runs
 * now keeps its id through a broken edit (the host reports the edit and keeps the generation), and
 * when no copy can run the strongest one owns the id and fails.
 */
export function discoverPlugins(searchPaths: PluginSearchPath[], bundled: BundledPlugin[] = [], options: DiscoveryOptions = {}): DiscoveryResult {
  return chooseOwners(scanPlugins(searchPaths, bundled), options);
}

/** Every plugin directory on the search paths, then the bundled set; nothing decided yet. */
export function scanPlugins(searchPaths: PluginSearchPath[], bundled: BundledPlugin[] = []): PluginCandidate[] {
  const candidates: PluginCandidate[] = [];
  for (const path of searchPaths) candidates.push(...scanSearchPath(path));
  for (const plugin of bundled) {
    const candidate =
      typeof plugin === "string" ? readCandidate("bundled", plugin) : "manifestSha256" in plugin ? readCandidate("bundled", plugin.dir, plugin) : inlineCandidate(plugin);
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

/** Decides which copy owns each id among scanned candidates (the rule is on discoverPlugins). */
export function chooseOwners(scanned: PluginCandidate[], options: DiscoveryOptions = {}): DiscoveryResult {
  const hostApi = options.hostApi ?? PLUGIN_API_VERSION;
  // Copies, not the scanned objects: owning an id sets a winner's error, which must not leak into another pass.
  const candidates = scanned.map((c) => ({ ...c })).sort((a, b) => SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source]);

  // One copy per source for each id, strongest source first.
  const seenDirs = new Set<string>();
  const copies = new Map<string, PluginCandidate[]>();
  const duplicates: PluginCandidate[] = [];
  for (const candidate of candidates) {
    if (seenDirs.has(candidate.realDir)) continue;
    seenDirs.add(candidate.realDir);
    const ofId = copies.get(candidate.id) ?? [];
    copies.set(candidate.id, ofId);
    const sameSource = ofId.find((c) => c.source === candidate.source);
    if (!sameSource) {
      ofId.push(candidate);
      continue;
    }
    duplicates.push({
      ...candidate,
      error: duplicateId(candidate.id, candidate.manifestFile, sameSource.dir),
    });
  }

  const winners = new Map<string, PluginCandidate>();
  const overridden: DiscoveryResult["overridden"] = [];
  const shadowFailed: DiscoveryResult["shadowFailed"] = [];
  for (const [id, ofId] of copies) {
    const running = options.runningDir?.(id);
    const errors: (AlephError | undefined)[] = [];
    let owner = ofId.findIndex((candidate, i) => {
      errors[i] = preflightError(candidate, hostApi);
      return !errors[i] || candidate.realDir === running;
    });
    if (owner < 0) owner = 0;
    const winner = ofId[owner]!;
    if (errors[owner]) winner.error = errors[owner];
    winners.set(id, winner);
    for (let i = 0; i < owner; i++) shadowFailed.push({ candidate: { ...ofId[i]!, error: errors[i] }, running: winner });
    for (let i = owner + 1; i < ofId.length; i++) overridden.push({ candidate: ofId[i]!, by: winner });
  }
  return { winners, overridden, shadowFailed, duplicates };
}
