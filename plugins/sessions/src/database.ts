import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import type Database from "better-sqlite3";
import { AlephError, errorMessage, nativeModuleError } from "@aleph/plugin-sdk";
import { corruptError, findDamage, isCorruptionError, unreadableError } from "./damage.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

export type Synchronous = "full" | "normal";

export interface OpenOptions {
  /** `full`: every commit is fsync'd (survives power loss); `normal`: survives process crashes only. */
  synchronous: Synchronous;
  /** How long a writer waits for another connection's lock before failing. */
  busyTimeoutMs: number;
}

export interface SessionsDb {
  db: Database.Database;
  /** Set when the file is damaged: the connection is query_only, no migration ran, and every write is refused with this. */
  damage: AlephError | undefined;
}

/**
 * Opens (creating if needed) sessions.db: busy_timeout and the chosen synchronous level, the
 * damage check (see damage.ts), then — on a sound file only — WAL, foreign keys and the pending
 * forward-only migrations, each in its own transaction. A file whose schema is newer than this
 * code is refused, never downgraded. A damaged file is opened read-only, never migrated.
 */
export function openSessionsDb(file: string, options: OpenOptions): SessionsDb {
  // Conversations are private: create the file owner-only; SQLite gives -wal/-shm the same mode.
  closeSync(openSync(file, "a", 0o600));
  let db: Database.Database;
  try {
    // Required here, not imported at the top: `aleph sessions …` imports this plugin's entry to find
    // its command handlers, and against a running kernel it never opens the file.
    const Driver = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
    db = new Driver(file, { timeout: options.busyTimeoutMs });
  } catch (error) {
    // The driver's native addon is loaded here, on first use: its failure says nothing about the file.
    throw (
      nativeModuleError(error, "better-sqlite3") ??
      (isCorruptionError(error)
        ? corruptError(file, errorMessage(error), error)
        : new AlephError("ALEPH_E_SETUP", `cannot open ${file} as SQLite: ${errorMessage(error)}`, { file, fix: "check that the file is readable and writable by you; `aleph doctor` checks it", cause: error }))
    );
  }
  try {
    applyPragmas(db, options);
    const damage = findDamage(db, file);
    if (damage) {
      db.pragma("query_only = ON");
      return { db, damage };
    }
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    migrate(db, file);
    return { db, damage: undefined };
  } catch (error) {
    db.close();
    throw isCorruptionError(error) ? unreadableError(file, errorMessage(error), error) : error;
  }
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
