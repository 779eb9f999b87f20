import { closeSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { AlephError } from "@aleph/plugin-sdk";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

export type Synchronous = "full" | "normal";

export interface OpenOptions {
  /** `full`: every commit is fsync'd (survives power loss); `normal`: survives process crashes only. */
  synchronous: Synchronous;
  /** How long a writer waits for another connection's lock before failing. */
  busyTimeoutMs: number;
}

/**
 * Opens (creating if needed) sessions.db: WAL, the chosen synchronous level, busy_timeout,
 * foreign keys, then the pending forward-only migrations, each in its own transaction. A file
 * whose schema is newer than this code is refused, never downgraded.
 */
export function openSessionsDb(file: string, options: OpenOptions): Database.Database {
  // Conversations are private: create the file owner-only; SQLite gives -wal/-shm the same mode.
  closeSync(openSync(file, "a", 0o600));
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs });
  } catch (error) {
    throw new AlephError("ALEPH_E_SETUP", `cannot open ${file} as SQLite: ${(error as Error).message}`, {
      file,
      fix: "run `aleph doctor`; restore the file from a backup, keeping the damaged one aside",
      cause: error,
    });
  }
  try {
    db.pragma("journal_mode = WAL");
    applyPragmas(db, options);
    db.pragma("foreign_keys = ON");
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function applyPragmas(db: Database.Database, options: OpenOptions): void {
  db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
}

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new AlephError("ALEPH_E_SETUP", `${file} has schema version ${current}, newer than this Aleph knows (${SCHEMA_VERSION})`, {
      file,
      fix: "upgrade Aleph; the file is left untouched",
    });
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    // IMMEDIATE: two processes opening a fresh file at once must not both run the migration.
    db.transaction(() => {
      const now = db.pragma("user_version", { simple: true }) as number;
      if (now >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
