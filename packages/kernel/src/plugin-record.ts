import type { AlephError, PluginInfo } from "@aleph/plugin-sdk";
import type { DisabledBy } from "./assessment.js";
import type { PluginCandidate } from "./discovery.js";
import type { LoadedCode } from "./plugin-loader.js";
import { describe } from "./plugin-info.js";
import type { PluginInstance } from "./plugin-instance.js";

/** Code imported for a plugin, with how long the import took. */
export type ImportedCode = LoadedCode & { importMs: number };

/**
 * Where a plugin the host owns stands. Each state carries what is true in it and nothing else:
 * only an active plugin has an instance, only a failed one a required error.
 */
export type RecordState =
  /** Running `running`'s code. `error`: newer code on disk failed, and this generation stays up. */
  | { status: "active"; instance: PluginInstance; running: PluginCandidate; loadSeq: number; timings: { importMs: number; setupMs: number }; error?: AlephError }
  /** Not running. `lastGood`: the generation that ran last, if one did. */
  | { status: "failed"; error: AlephError; lastGood?: number }
  | { status: "disabled"; by: DisabledBy }
  /** Would load, not running: waiting in the current pass, or left out of a kernel started for one command. */
  | { status: "inactive"; outOfScope: boolean }
  /** Reserved for the supervisor's quarantine (a plugin blamed for two crashes); listed as failed. */
  | { status: "quarantined"; error: AlephError };

/** The host's record of the plugin that owns an id. */
export interface PluginRecord {
  readonly id: string;
  /** The copy on disk now (differs from an active state's `running` while a broken edit is on disk). */
  candidate: PluginCandidate;
  state: RecordState;
  /** Successful setups so far; an active state runs this generation. */
  generation: number;
  /** Imports so far; every import after the first gets a fresh module graph. */
  attempts: number;
  /** Code of the running (or last running) generation, kept so a config or dependency change can retry it. */
  code?: ImportedCode;
  /** Freshly imported code waiting for its setup. */
  fresh?: ImportedCode;
  /** The real directory whose code ran last: a failed reload rolls back only to code of the same directory. */
  ranFrom?: string;
}

export const PENDING: RecordState = { status: "inactive", outOfScope: false };

export function activeInstance(rec: PluginRecord): PluginInstance | undefined {
  return rec.state.status === "active" ? rec.state.instance : undefined;
}

/** The record's error, whatever its state (an active plugin's is why its newest code is not running). */
export function recordError(rec: PluginRecord): AlephError | undefined {
  return "error" in rec.state ? rec.state.error : undefined;
}

/** A record as `plugins list` and `status` show it; the documented status values are kept. */
export function recordInfo(rec: PluginRecord): PluginInfo {
  const s = rec.state;
  switch (s.status) {
    case "active":
      return { ...describe(s.running, "active", s.error, rec.generation), timings: s.timings };
    case "failed":
    case "quarantined":
      return describe(rec.candidate, "failed", s.error);
    case "disabled":
      return { ...describe(rec.candidate, "disabled"), disabledBy: s.by };
    case "inactive":
      return describe(rec.candidate, s.outOfScope ? "inactive" : "failed");
  }
}
