import type { AlephError, PluginInfo, PluginStatus } from "@aleph/plugin-sdk";
import type { PluginCandidate } from "./discovery.js";
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
  return infos.sort((a, b) => a.id.localeCompare(b.id) || SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source]);
}
