import type Database from "better-sqlite3";
import { AlephError, errorMessage } from "@aleph/plugin-sdk";

/*
 * A damaged sessions.db must not take writes: writing into damaged b-trees can spread the damage,
 * and a head row or key index that no longer reads back makes an existing key look new, so its
 * next append would start again at seq 1. So damage found at open, or reported by SQLite on any
 * statement later, turns the store read-only (ALEPH_E_CORRUPT): reads are served as far as SQLite
 * can still read, so sessions can be exported before the file is replaced.
 *
 * At open: `PRAGMA quick_check` over the whole file (every page and b-tree; measured 37–75 ms for
 * 10,000 messages, 4 MB, on a loaded 2-core machine: docs/sessions.md) plus `integrity_check(session_heads)`
 * (sub-millisecond: the heads table and its indexes, including that each index matches the table,
 * which quick_check skips — the key index is what decides whether a key is new).
 */

/** SQLite's own word that the file is damaged: SQLITE_CORRUPT (with its extended codes) or SQLITE_NOTADB. */
export function isCorruptionError(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

export const CORRUPT_FIX =
  "run `aleph doctor` to see the damage; save what still reads with `aleph sessions export`, then stop Aleph, move sessions.db (and any sessions.db-wal / -shm) aside, restore it from a backup or let Aleph create a fresh one, and `aleph sessions import` what you saved";

/** The ALEPH_E_CORRUPT error for `file`, with what SQLite reported. */
export function corruptError(file: string, detail: string, cause?: unknown): AlephError {
  return new AlephError("ALEPH_E_CORRUPT", `${file} is damaged (${detail}); sessions are read-only until it is replaced`, {
    file,
    fix: CORRUPT_FIX,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** ALEPH_E_CORRUPT for a file so damaged that not even its schema reads: there is nothing to serve. */
export function unreadableError(file: string, detail: string, cause?: unknown): AlephError {
  return new AlephError("ALEPH_E_CORRUPT", `${file} is damaged and nothing in it can be read (${detail})`, {
    file,
    fix: "run `aleph doctor`; then stop Aleph, move sessions.db (and any sessions.db-wal / -shm) aside, and restore it from a backup or let Aleph create a fresh one",
    ...(cause === undefined ? {} : { cause }),
  });
}

/** What the open-time check finds wrong with the file, as ALEPH_E_CORRUPT; undefined when it is sound. */
export function findDamage(db: Database.Database, file: string): AlephError | undefined {
  try {
    const problems = (db.pragma("quick_check") as { quick_check: string }[]).map((r) => r.quick_check);
    const hasHeads = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_heads'").get() !== undefined;
    if (hasHeads) problems.push(...(db.pragma("integrity_check(session_heads)") as { integrity_check: string }[]).map((r) => r.integrity_check));
    const found = [...new Set(problems.filter((p) => p !== "ok").flatMap((p) => p.split("\n")).filter((p) => p !== "*** in database main ***"))];
    if (found.length === 0) return undefined;
    return corruptError(file, `${found.slice(0, 3).join("; ")}${found.length > 3 ? ` (+${found.length - 3} more)` : ""}`);
  } catch (error) {
    if (!isCorruptionError(error)) throw error;
    return corruptError(file, errorMessage(error), error);
  }
}
