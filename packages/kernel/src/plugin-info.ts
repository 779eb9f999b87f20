import { compareStrings, type AlephError, type PluginInfo, type PluginStatus } from "@aleph/plugin-sdk";
import type { DiscoveryResult, PluginCandidate } from "./discovery.js";
import { SOURCE_PRECEDENCE } from "./paths.js";

/** Builds a PluginInfo from a candidate. Shared with the offline listing. */
export function describe(candidate: PluginCandidate, status: PluginStatus, error?: AlephError, generation?: number): PluginInfo {
  const m = candidate.manifest;
  const info: PluginInfo = {
    id: candidate.id,
    version: m?.version ?? "",
    kind: m?.kind ?? "node",
    source: candidate.source,
    path: candidate.dir,
    status,
    priority: m?.priority ?? 0,
    provides: m?.services.provides ?? [],
    requires: m?.services.requires ?? [],
    optional: m?.services.optional ?? [],
  };
  const failure = error ?? candidate.error;
  if (failure) {
    info.error = { code: failure.code, message: failure.message };
    if (failure.file) info.error.file = failure.file;
    if (failure.line) info.error.line = failure.line;
    if (failure.fix) info.error.fix = failure.fix;
  }
  if (generation !== undefined) info.generation = generation;
  return info;
}

/** Orders a listing by id, then source precedence. */
export function sortInfos(infos: PluginInfo[]): PluginInfo[] {
  return infos.sort((a, b) => compareStrings(a.id, b.id) || SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source]);
}

/**
 * The rows of the copies that do not own their id: failed before setup with the copy running
 * instead, overridden by the owner, or duplicates. The host and the offline listing share them.
 */
export function losingCopies(found: DiscoveryResult): PluginInfo[] {
  const out: PluginInfo[] = [];
  for (const { candidate, running } of found.shadowFailed) {
    out.push({ ...describe(candidate, "failed", candidate.error), runningInstead: { source: running.source, path: running.dir } });
  }
  for (const { candidate, by } of found.overridden) out.push({ ...describe(candidate, "overridden"), overriddenBy: { source: by.source, path: by.dir } });
  for (const candidate of found.duplicates) out.push(describe(candidate, "failed", candidate.error));
  return out;
}

/** The row of the copy that owns an id (not an overridden or shadow-failed copy of it). */
export function ownerRow<T extends PluginInfo>(infos: T[], id: string): T | undefined {
  const owners = infos.filter((p) => p.id === id && p.status !== "overridden" && !p.runningInstead);
  // A copy switched off by `[extensions] enabled = false` owns its id only when no bundled copy does.
  return owners.find((p) => p.disabledBy !== "extensions.enabled") ?? owners[0];
}
