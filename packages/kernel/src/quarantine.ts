import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * run/quarantine.json: plugins the supervisor took out of service because they crashed or stalled
 * the kernel, and the crashes blamed on each plugin so far. Written by the supervisor (between two
 * runs of the kernel child) and by `aleph plugins enable`; read by every kernel's assessment,
 * `status`, `plugins list` and `doctor`. Node built-ins only: the supervisor imports it.
 *
 * A quarantine (or a crash count) holds for the plugin's files as they were: it records a
 * fingerprint of the manifest and the entry (mtime and size), and lapses when they change — an
 * edited plugin gets a fresh start.
 */

export const QUARANTINE_FILE = "quarantine.json";

export interface QuarantineEntry {
  /** What happened, in words (the last crash blamed on it). */
  reason: string;
  /** When it was quarantined (ISO time). */
  at: string;
  /** Crashes blamed on it, this one included. */
  crashes: number;
  /** Whether the blame was certain (the crash happened inside its import or setup). */
  certain: boolean;
  fingerprint: string;
}

export interface CrashCount {
  count: number;
  fingerprint: string;
  lastReason: string;
  lastAt: string;
}

export interface QuarantineState {
  quarantined: Record<string, QuarantineEntry>;
  crashes: Record<string, CrashCount>;
}

/** The files whose change lifts a quarantine: the manifest and the entry. */
export interface PluginFiles {
  manifestFile: string;
  entryFile: string;
}

export function quarantineFile(runDir: string): string {
  return join(runDir, QUARANTINE_FILE);
}

export function readQuarantine(runDir: string): QuarantineState {
  try {
    const data = JSON.parse(readFileSync(quarantineFile(runDir), "utf8")) as Partial<QuarantineState>;
    return {
      quarantined: typeof data.quarantined === "object" && data.quarantined !== null ? data.quarantined : {},
      crashes: typeof data.crashes === "object" && data.crashes !== null ? data.crashes : {},
    };
  } catch {
    return { quarantined: {}, crashes: {} }; // none yet (or unreadable: nobody is kept out on a damaged file's word)
  }
}

export function writeQuarantine(runDir: string, state: QuarantineState): void {
  const file = quarantineFile(runDir);
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(temp, file);
}

export function fingerprintOf(files: PluginFiles): string {
  return [files.manifestFile, files.entryFile]
    .map((file) => {
      try {
        const stat = statSync(file);
        return `${Math.round(stat.mtimeMs)}:${stat.size}`;
      } catch {
        return "missing";
      }
    })
    .join("/");
}

/** The quarantine of a plugin whose files are still as they were when it was quarantined, if any. */
export function quarantineOf(state: QuarantineState, id: string, files: PluginFiles | undefined): QuarantineEntry | undefined {
  const entry = state.quarantined[id];
  if (!entry || !files) return entry;
  return entry.fingerprint === fingerprintOf(files) ? entry : undefined;
}

export interface CrashBlame {
  id: string;
  reason: string;
  /** The crash happened inside this plugin's import or setup. */
  certain: boolean;
  files: PluginFiles | undefined;
}

/**
 * Counts a crash against a plugin and quarantines it when the blame is certain or its count
 * reaches `quarantineAfter`. Returns whether it is now quarantined.
 */
export function recordCrash(state: QuarantineState, blame: CrashBlame, quarantineAfter: number, now = new Date()): boolean {
  const fingerprint = blame.files ? fingerprintOf(blame.files) : "unknown";
  const previous = state.crashes[blame.id];
  const count = previous && previous.fingerprint === fingerprint ? previous.count + 1 : 1;
  state.crashes[blame.id] = { count, fingerprint, lastReason: blame.reason, lastAt: now.toISOString() };
  if (!blame.certain && count < quarantineAfter) return false;
  state.quarantined[blame.id] = { reason: blame.reason, at: now.toISOString(), crashes: count, certain: blame.certain, fingerprint };
  return true;
}

/** Lifts a plugin's quarantine and forgets its crashes; true when there was something to lift. */
export function liftQuarantine(state: QuarantineState, id: string): boolean {
  const had = id in state.quarantined || id in state.crashes;
  delete state.quarantined[id];
  delete state.crashes[id];
  return had;
}
