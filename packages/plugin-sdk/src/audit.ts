import { join } from "node:path";
import { appendJsonLine, readJsonLines, type JsonLinesRead } from "./jsonl.js";
import { mkdirPrivateSync } from "./private-fs.js";

/** One audited operation: who did what to what, and whether it worked. */
export interface AuditRecord {
  /** ISO time. */
  ts: string;
  /** Who: "cli", a plugin id, "kernel". */
  actor: string;
  /** What, dotted: "workspace.init", "agents.add", "keys.set", "workspace.write". */
  action: string;
  /** On what: an agent id, a key name (never a secret value), a path. */
  target: string;
  ok: boolean;
  error?: string;
}

/** The audit file of a day: `<root>/audit/YYYY-MM-DD.jsonl` (UTC). */
export function auditFile(root: string, date = new Date()): string {
  return join(root, "audit", `${date.toISOString().slice(0, 10)}.jsonl`);
}

/**
 * Appends one line to today's audit log. Never throws: an audit failure must not turn a
 * successful operation into a failed one (it is written to stderr instead).
 */
export function audit(root: string, entry: Omit<AuditRecord, "ts">, now = new Date()): void {
  const record: AuditRecord = { ts: now.toISOString(), ...entry };
  try {
    mkdirPrivateSync(join(root, "audit"));
    appendJsonLine(auditFile(root, now), record);
  } catch (error) {
    process.stderr.write(`aleph: could not write the audit log: ${(error as Error).message}\n`);
  }
}

/** Reads a day's audit log; a torn last line is reported in `torn`. */
export function readAudit(root: string, date = new Date()): JsonLinesRead<AuditRecord> {
  return readJsonLines<AuditRecord>(auditFile(root, date));
}

/** Runs a mutating operation and appends its audit line, whatever the outcome (the error is rethrown). */
export async function audited<T>(root: string, entry: { actor: string; action: string; target: string }, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    audit(root, { ...entry, ok: true });
    return result;
  } catch (error) {
    audit(root, { ...entry, ok: false, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
