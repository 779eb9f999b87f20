import type Database from "better-sqlite3";
import { AlephError } from "@aleph/plugin-sdk";

/*
 * memory/graph.db's schema, in forward-only migrations (never a dropped column or table: a
 * migration only adds). Nodes are entities of one agent; edges are bi-temporal:
 *   valid_at / invalid_at   — when the relation was true in the world;
 *   created_at / expired_at — when Aleph learned it and when it retired this record.
 * A contradicted edge gets an invalid_at; nothing is deleted.
 */

export const GRAPH_SCHEMA_VERSION = 1;

const MIGRATIONS: { version: number; up: (db: Database.Database) => void }[] = [
  {
    version: 1,
    up: (db) =>
      db.exec(`
        CREATE TABLE nodes (
          id INTEGER PRIMARY KEY,
          agent_id TEXT NOT NULL,
          entity TEXT NOT NULL,
          label TEXT NOT NULL,
          type TEXT NOT NULL DEFAULT 'entity',
          props TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          UNIQUE (agent_id, entity)
        );
        CREATE TABLE edges (
          id INTEGER PRIMARY KEY,
          agent_id TEXT NOT NULL,
          src INTEGER NOT NULL REFERENCES nodes(id),
          rel TEXT NOT NULL,
          dst INTEGER NOT NULL REFERENCES nodes(id),
          fact_id TEXT,
          valid_at INTEGER NOT NULL,
          invalid_at INTEGER,
          created_at INTEGER NOT NULL,
          expired_at INTEGER
        );
        -- Traversal walks out of a node and into it; the rowid (the edge id) ends every index,
        -- which the fan-out cap uses to take a node's newest edges.
        CREATE INDEX edges_out ON edges (agent_id, src);
        CREATE INDEX edges_in ON edges (agent_id, dst);
        CREATE INDEX edges_open ON edges (agent_id, src, rel) WHERE invalid_at IS NULL AND expired_at IS NULL;
      `),
  },
];

/** Brings a graph database to the current schema; a newer file than this code knows is refused, untouched. */
export function migrateGraph(db: Database.Database, file: string): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > GRAPH_SCHEMA_VERSION) {
    throw new AlephError("ALEPH_E_SETUP", `${file} has schema version ${current}, newer than this Aleph knows (${GRAPH_SCHEMA_VERSION})`, { file, fix: "upgrade Aleph; the file is left untouched" });
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    // IMMEDIATE: two processes opening a new file at once must not both migrate it.
    db.transaction(() => {
      if ((db.pragma("user_version", { simple: true }) as number) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
