import type Database from "better-sqlite3";
import { AlephError } from "@aleph/plugin-sdk";

/*
 * evolution.db's schema, in forward-only steps: each step brings the file from one version
 * (`PRAGMA user_version`) to the next and may only add (a table, a column, an index), so an older
 * Aleph's data is never lost and a newer file is refused untouched rather than misread.
 */

/** One step: `up` takes a file at version `version - 1` to `version`. */
export interface EvolutionMigration {
  version: number;
  up: (db: Database.Database) => void;
}

export const EVOLUTION_MIGRATIONS: readonly EvolutionMigration[] = [
  {
    version: 1,
    up: (db) =>
      db.exec(`
        -- A use: a skill loaded into an agent turn. outcome stays NULL until the turn ends, and for
        -- good when it never does (the kernel stopped mid-turn): such uses count in no rate.
        CREATE TABLE uses (
          id INTEGER PRIMARY KEY,
          skill TEXT NOT NULL,
          agent_id TEXT NOT NULL,
          session_key TEXT NOT NULL,
          turn_id TEXT NOT NULL,
          via TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          ended_at INTEGER,
          outcome TEXT CHECK (outcome IN ('completed', 'failed', 'cancelled')),
          error TEXT
        );
        -- One use per skill per turn; it is also the index endTurn closes a turn's uses by.
        CREATE UNIQUE INDEX uses_turn ON uses (turn_id, skill);
        -- metricsOf, failingUses (newest first) and the per-skill grouping of metrics.
        CREATE INDEX uses_skill ON uses (skill, started_at);

        CREATE TABLE suggestions (
          id TEXT PRIMARY KEY,
          skill TEXT NOT NULL,
          agent_id TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
          created_at INTEGER NOT NULL,
          decided_at INTEGER,
          reason TEXT NOT NULL,
          file TEXT NOT NULL,
          content TEXT NOT NULL,
          backup_file TEXT
        );
        CREATE INDEX suggestions_skill ON suggestions (skill, created_at);
        CREATE INDEX suggestions_created ON suggestions (created_at);
      `),
  },
];

export const EVOLUTION_SCHEMA_VERSION = EVOLUTION_MIGRATIONS[EVOLUTION_MIGRATIONS.length - 1]!.version;

/**
 * Brings `db` to the newest version `migrations` know, one step at a time. Each step runs in an
 * IMMEDIATE transaction that re-reads the version first: the kernel and a CLI process opening a new
 * file at once must not both run it.
 */
export function migrateEvolution(db: Database.Database, file: string, migrations: readonly EvolutionMigration[] = EVOLUTION_MIGRATIONS): void {
  const newest = migrations.length > 0 ? migrations[migrations.length - 1]!.version : 0;
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > newest) {
    throw new AlephError("ALEPH_E_SETUP", `${file} has schema version ${current}, newer than this Aleph knows (${newest})`, { file, fix: "upgrade Aleph; the file is left untouched" });
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    migrationStep(db, migration);
  }
}

/** Runs one step unless another connection already did. */
export function migrationStep(db: Database.Database, migration: EvolutionMigration): void {
  db.transaction(() => {
    if ((db.pragma("user_version", { simple: true }) as number) >= migration.version) return;
    migration.up(db);
    db.pragma(`user_version = ${migration.version}`);
  }).immediate();
}
