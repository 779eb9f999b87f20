import type Database from "better-sqlite3";
import { importLegacySessions } from "./legacy-import.js";

/*
 * The layout of sessions.db, as forward-only migrations numbered by `PRAGMA user_version`.
 *
 * Storage: one row per session in `session_heads` and one row per message in `session_messages`
 * (primary key (session_id, seq)), so an append is an index insert plus a header update — the
 * same cost at 10,000 messages as at 10. The documented shape is served by two read-only views:
 *
 *   sessions(session_key TEXT, messages TEXT, created_at INTEGER, updated_at INTEGER,
 *            message_count INTEGER, token_count INTEGER)
 *   session_metadata(session_key TEXT, agent_id TEXT, channel TEXT, last_compaction INTEGER)
 *
 * where `messages` is assembled on read as the JSON array of the message bodies in seq order.
 * The views must parse in every SQLite an outside reader may have (3.38 and later, JSON built in):
 * SQLite parses the whole schema when it opens a file, so one newer construct in one view makes
 * the whole file unreadable to an older reader ("malformed database schema"). Hence no aggregate
 * ORDER BY (3.44+): see VIEWS_V2.
 * Both views show live sessions only (archived ones keep their rows, with archived_at set, so a
 * key can start afresh after `archive`). Messages replaced by a compaction move to
 * `session_compacted_messages` rather than vanishing.
 *
 * Never edit a migration that has shipped; add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

// Shipped as is; its `sessions` view needs SQLite 3.44+ to parse and is replaced by migration 2.
const V1 = `
CREATE TABLE session_heads (
  id              INTEGER PRIMARY KEY,
  session_key     TEXT    NOT NULL,
  agent_id        TEXT    NOT NULL,
  channel         TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  message_count   INTEGER NOT NULL DEFAULT 0,
  token_count     INTEGER NOT NULL DEFAULT 0,
  last_seq        INTEGER NOT NULL DEFAULT 0,
  last_compaction INTEGER,
  archived_at     INTEGER
);
-- One live session per key; archived ones keep the key.
CREATE UNIQUE INDEX session_heads_live_key ON session_heads(session_key) WHERE archived_at IS NULL;
CREATE INDEX session_heads_key ON session_heads(session_key);
-- No index holds updated_at: every append rewrites it, and each such index would cost every
-- append an index update (measured: ~35% of append throughput) to speed up listing, the cold path.
CREATE INDEX session_heads_agent ON session_heads(agent_id);
CREATE INDEX session_heads_channel ON session_heads(channel);

CREATE TABLE session_messages (
  session_id INTEGER NOT NULL REFERENCES session_heads(id),
  seq        INTEGER NOT NULL,
  message_id TEXT,
  tokens     INTEGER NOT NULL,
  body       TEXT    NOT NULL,  -- the SessionMessage as JSON
  PRIMARY KEY (session_id, seq)
);
CREATE UNIQUE INDEX session_messages_id ON session_messages(session_id, message_id) WHERE message_id IS NOT NULL;

CREATE TABLE session_compacted_messages (
  session_id   INTEGER NOT NULL REFERENCES session_heads(id),
  seq          INTEGER NOT NULL,
  message_id   TEXT,
  tokens       INTEGER NOT NULL,
  body         TEXT    NOT NULL,
  compacted_at INTEGER NOT NULL
);
-- No unique key: a summary compacted again sits beside the message it once replaced at that seq.
CREATE INDEX session_compacted_messages_session ON session_compacted_messages(session_id, seq);
CREATE INDEX session_compacted_messages_id ON session_compacted_messages(session_id, message_id) WHERE message_id IS NOT NULL;

CREATE VIEW sessions AS
SELECT
  h.session_key AS session_key,
  CAST((SELECT json_group_array(json(m.body) ORDER BY m.seq) FROM session_messages m WHERE m.session_id = h.id) AS TEXT) AS messages,
  h.created_at AS created_at,
  h.updated_at AS updated_at,
  h.message_count AS message_count,
  h.token_count AS token_count
FROM session_heads h
WHERE h.archived_at IS NULL;

CREATE VIEW session_metadata AS
SELECT
  h.session_key AS session_key,
  h.agent_id AS agent_id,
  h.channel AS channel,
  h.last_compaction AS last_compaction
FROM session_heads h
WHERE h.archived_at IS NULL;
`;

/*
 * Migration 2: the same two views, readable by SQLite 3.38+. V1 wrote
 * `json_group_array(json(m.body) ORDER BY m.seq)`, an aggregate ORDER BY, which SQLite before 3.44
 * (Debian 12's sqlite3 and Python's sqlite3 module, both 3.40) refuses, failing on the whole file.
 *
 * The order now comes from an ordered subquery. SQLite does not promise in general that an
 * aggregate sees rows in a subquery's ORDER BY order, but this is how it evaluates this query: the
 * query flattener never flattens a subquery that has an ORDER BY into an aggregate query (its rule
 * 16), so the subquery runs as a co-routine feeding the aggregate row by row, in order; here it is
 * moreover a walk of the (session_id, seq) primary key, already in seq order. Tests check the
 * order on the bundled SQLite and on the system's sqlite3 3.40, with seq order unlike rowid order.
 */
const VIEWS_V2 = `
DROP VIEW sessions;
DROP VIEW session_metadata;

CREATE VIEW sessions AS
SELECT
  h.session_key AS session_key,
  CAST((SELECT json_group_array(json(o.body)) FROM (SELECT m.body AS body FROM session_messages m WHERE m.session_id = h.id ORDER BY m.seq) o) AS TEXT) AS messages,
  h.created_at AS created_at,
  h.updated_at AS updated_at,
  h.message_count AS message_count,
  h.token_count AS token_count
FROM session_heads h
WHERE h.archived_at IS NULL;

CREATE VIEW session_metadata AS
SELECT
  h.session_key AS session_key,
  h.agent_id AS agent_id,
  h.channel AS channel,
  h.last_compaction AS last_compaction
FROM session_heads h
WHERE h.archived_at IS NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "session_heads + append-only session_messages behind the documented sessions / session_metadata views",
    up(db) {
      // A workspace written by an Aleph that kept the documented tables as real tables: set them
      // aside under legacy_* names, create the new layout, then bring their sessions across.
      const legacy = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sessions', 'session_metadata')").all() as { name: string }[];
      for (const { name } of legacy) db.exec(`ALTER TABLE ${name} RENAME TO legacy_${name}`);
      db.exec(V1);
      if (legacy.some((t) => t.name === "sessions")) importLegacySessions(db, legacy.some((t) => t.name === "session_metadata"));
    },
  },
  {
    version: 2,
    description: "the sessions / session_metadata views without aggregate ORDER BY, so SQLite 3.38+ readers can open the file",
    // Views hold no data: dropping and re-creating them loses nothing (DROP VIEW never drops a table).
    up(db) {
      db.exec(VIEWS_V2);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
