import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import {
  AlephError,
  errorMessage,
  makePrivateSync,
  mkdirPrivateSync,
  nativeModuleError,
  PRIVATE_FILE_MODE,
  type SkillMetrics,
  type SkillSuggestion,
  type SuggestionStatus,
} from "@aleph/plugin-sdk";
import { migrateEvolution } from "./evolution-schema.js";
import { newSuggestionId } from "./suggestion-id.js";

/*
 * <root>/evolution.db: how each skill fares, and the improved SKILL.md files proposed for the ones
 * that fare badly. A use is a skill loaded into an agent turn; the turn's end (completed, failed,
 * cancelled) closes every use it holds. The kernel records, `aleph skills …` reads and decides
 * suggestions from another process: WAL and a busy timeout let both work on the file at once.
 *
 * The file is opened on the first call, not when the store is made: better-sqlite3 is native code,
 * and a kernel start must not load it for a plugin that may never record anything.
 */

/** How the skill came into the turn: the `skill_read` tool, auto-match, or a user's `/<name>`. */
export type SkillUseVia = "read" | "auto" | "invoke";

/** How a turn ended. `cancelled`: agent.turn.failed with code ALEPH_E_CANCELLED. */
export type SkillUseOutcome = "completed" | "failed" | "cancelled";

export interface SkillUseInput {
  skill: string;
  agentId: string;
  sessionKey: string;
  turnId: string;
  via: SkillUseVia;
  /** When the skill was loaded (ms since the epoch). */
  at: number;
}

export interface TurnEnd {
  outcome: SkillUseOutcome;
  /** The turn's error message (failed, cancelled). */
  error?: string | undefined;
  at: number;
}

/** A failed use, for showing the model what went wrong (its session holds the transcript). */
export interface FailingUse {
  sessionKey: string;
  turnId: string;
  agentId: string;
  startedAt: number;
  error: string | null;
}

export interface NewSuggestion {
  skill: string;
  agentId: string;
  reason: string;
  file: string;
  content: string;
  /** Default now. */
  at?: number;
}

export interface EvolutionStoreOptions {
  /** How long a write waits for another process's (default 5 s). */
  busyTimeoutMs?: number;
}

/** Error messages are kept for the model to read, not whole stack traces: this much of each. */
export const MAX_ERROR_CHARS = 2_000;

interface MetricsRow { skill: string; uses: number; completed: number; failed: number; cancelled: number; last_used_at: number | null; p50: number | null }
interface UseRow { session_key: string; turn_id: string; agent_id: string; started_at: number; error: string | null }
interface SuggestionRow {
  id: string; skill: string; agent_id: string; status: SuggestionStatus; created_at: number; decided_at: number | null;
  reason: string; file: string; content: string; backup_file: string | null;
}

/**
 * Per-skill counts, over all skills or one (:skill). The median is taken over finished uses (any
 * outcome) by ranking each skill's durations: the middle one, or the mean of the two middle ones.
 */
const METRICS = `
  WITH finished AS (
    SELECT skill, MAX(ended_at - started_at, 0) AS ms,
      ROW_NUMBER() OVER (PARTITION BY skill ORDER BY MAX(ended_at - started_at, 0)) AS rn,
      COUNT(*) OVER (PARTITION BY skill) AS n
    FROM uses WHERE outcome IS NOT NULL AND (:skill IS NULL OR skill = :skill)
  ), median AS (
    SELECT skill, AVG(ms) AS p50 FROM finished WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY skill
  )
  SELECT u.skill AS skill, COUNT(*) AS uses,
    COUNT(*) FILTER (WHERE u.outcome = 'completed') AS completed,
    COUNT(*) FILTER (WHERE u.outcome = 'failed') AS failed,
    COUNT(*) FILTER (WHERE u.outcome = 'cancelled') AS cancelled,
    MAX(u.started_at) AS last_used_at, MAX(m.p50) AS p50
  FROM uses u LEFT JOIN median m ON m.skill = u.skill
  WHERE (:skill IS NULL OR u.skill = :skill)
  GROUP BY u.skill ORDER BY u.skill`;

/**
 * successRate is completed / (completed + failed). A cancelled use is left out: the user stopping a
 * turn says nothing about the skill, and counting it as a failure would push skills people
 * interrupt often towards an `evolve` they do not need. Uses whose turn never ended count nowhere
 * but `uses` and `lastUsedAt`.
 */
function toMetrics(row: MetricsRow): SkillMetrics {
  const judged = row.completed + row.failed;
  return {
    name: row.skill,
    uses: row.uses,
    completed: row.completed,
    failed: row.failed,
    cancelled: row.cancelled,
    successRate: judged === 0 ? null : row.completed / judged,
    p50Ms: row.p50 === null ? null : Math.round(row.p50),
    lastUsedAt: row.last_used_at,
  };
}

const toSuggestion = (r: SuggestionRow): SkillSuggestion => ({
  id: r.id,
  skill: r.skill,
  agentId: r.agent_id,
  status: r.status,
  createdAt: r.created_at,
  decidedAt: r.decided_at,
  reason: r.reason,
  file: r.file,
  content: r.content,
  backupFile: r.backup_file,
});

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} characters cut]`);

/** SQLite's word that the file is not a database or is damaged. */
const isDamage = (error: unknown) => /^SQLITE_(CORRUPT|NOTADB)/.test(String((error as { code?: unknown } | null)?.code ?? ""));

export class EvolutionStore {
  readonly file: string;
  readonly #busyTimeoutMs: number;
  #db: Database.Database | undefined;

  constructor(file: string, options: EvolutionStoreOptions = {}) {
    this.file = file;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  }

  /** Records that a turn loaded a skill; a second load of it in the same turn is the same use (the first start is kept). Returns whether the use is new. */
  recordUse(use: SkillUseInput): boolean {
    const info = this.#connection()
      .prepare("INSERT INTO uses (skill, agent_id, session_key, turn_id, via, started_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (turn_id, skill) DO NOTHING")
      .run(use.skill, use.agentId, use.sessionKey, use.turnId, use.via, use.at);
    return info.changes > 0;
  }

  /** Closes every open use of a turn with how it ended; returns how many it closed (0: the turn used no skill). */
  endTurn(turnId: string, end: TurnEnd): number {
    const error = end.error === undefined || end.error === "" ? null : cut(end.error, MAX_ERROR_CHARS);
    return this.#connection()
      .prepare("UPDATE uses SET ended_at = ?, outcome = ?, error = ? WHERE turn_id = ? AND outcome IS NULL")
      .run(end.at, end.outcome, error, turnId).changes;
  }

  /** Every skill that has been used, by name. */
  metrics(): SkillMetrics[] {
    return (this.#connection().prepare(METRICS).all({ skill: null }) as MetricsRow[]).map(toMetrics);
  }

  /** One skill's metrics; all zero (and null rates) when it was never used. */
  metricsOf(name: string): SkillMetrics {
    const row = this.#connection().prepare(METRICS).get({ skill: name }) as MetricsRow | undefined;
    return row ? toMetrics(row) : { name, uses: 0, completed: 0, failed: 0, cancelled: 0, successRate: null, p50Ms: null, lastUsedAt: null };
  }

  /** A skill's most recent failed uses, newest first. */
  failingUses(skill: string, limit: number): FailingUse[] {
    const rows = this.#connection()
      .prepare("SELECT session_key, turn_id, agent_id, started_at, error FROM uses WHERE skill = ? AND outcome = 'failed' ORDER BY started_at DESC, id DESC LIMIT ?")
      .all(skill, Math.max(0, Math.floor(limit))) as UseRow[];
    return rows.map((r) => ({ sessionKey: r.session_key, turnId: r.turn_id, agentId: r.agent_id, startedAt: r.started_at, error: r.error }));
  }

  /** Stores a proposed SKILL.md as a pending suggestion. */
  addSuggestion(input: NewSuggestion): SkillSuggestion {
    const db = this.#connection();
    const createdAt = input.at ?? Date.now();
    const insert = db.prepare("INSERT INTO suggestions (id, skill, agent_id, status, created_at, reason, file, content) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)");
    for (let attempt = 0; ; attempt++) {
      const id = newSuggestionId();
      try {
        insert.run(id, input.skill, input.agentId, createdAt, input.reason, input.file, input.content);
        return { id, skill: input.skill, agentId: input.agentId, status: "pending", createdAt, decidedAt: null, reason: input.reason, file: input.file, content: input.content, backupFile: null };
      } catch (error) {
        // Fifty random bits collide about never; a second draw settles it when they do.
        if (attempt < 2 && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") continue;
        throw error;
      }
    }
  }

  /** Suggestions, newest first; narrowed to a status and/or a skill. */
  suggestions(filter: { status?: SuggestionStatus | undefined; skill?: string | undefined } = {}): SkillSuggestion[] {
    const rows = this.#connection()
      .prepare("SELECT * FROM suggestions WHERE (:status IS NULL OR status = :status) AND (:skill IS NULL OR skill = :skill) ORDER BY created_at DESC, rowid DESC")
      .all({ status: filter.status ?? null, skill: filter.skill ?? null }) as SuggestionRow[];
    return rows.map(toSuggestion);
  }

  /** One suggestion; ALEPH_E_NOT_FOUND when there is none by that id. */
  suggestion(id: string): SkillSuggestion {
    return toSuggestion(this.#row(this.#connection(), id));
  }

  /**
   * Marks a pending suggestion applied (with where the replaced file was kept) or rejected. A
   * suggestion is decided once: deciding it again is ALEPH_E_CONFLICT, so two `apply`s racing from
   * two terminals cannot both write the file's history.
   */
  decide(id: string, status: Exclude<SuggestionStatus, "pending">, backupFile?: string | null, at: number = Date.now()): SkillSuggestion {
    const db = this.#connection();
    return db.transaction((): SkillSuggestion => {
      const row = this.#row(db, id);
      if (row.status !== "pending") {
        const when = row.decided_at === null ? "" : ` on ${new Date(row.decided_at).toISOString()}`;
        const kept = row.backup_file ? ` (the file it replaced is kept as ${row.backup_file})` : "";
        throw new AlephError("ALEPH_E_CONFLICT", `suggestion ${row.id} for skill "${row.skill}" was already ${row.status}${when}${kept}`, {
          file: this.file,
          fix: `only a pending suggestion can be applied or rejected: see them with \`aleph skills suggestions list\`, or ask for a new one with \`aleph skills evolve ${row.skill}\``,
        });
      }
      const backup = status === "applied" ? (backupFile ?? null) : null;
      db.prepare("UPDATE suggestions SET status = ?, decided_at = ?, backup_file = ? WHERE id = ?").run(status, at, backup, row.id);
      return toSuggestion({ ...row, status, decided_at: at, backup_file: backup });
    }).immediate();
  }

  /** Closes the file; a later call opens it again. */
  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  #row(db: Database.Database, id: string): SuggestionRow {
    const row = db.prepare("SELECT * FROM suggestions WHERE id = ?").get(id.trim().toLowerCase()) as SuggestionRow | undefined;
    if (!row) {
      throw new AlephError("ALEPH_E_NOT_FOUND", `no skill suggestion "${id}" in ${this.file}`, { file: this.file, fix: "see the suggestions there are, and their ids, with `aleph skills suggestions list`" });
    }
    return row;
  }

  #connection(): Database.Database {
    if (this.#db) return this.#db;
    const file = this.file;
    mkdirPrivateSync(dirname(file));
    // Created private before SQLite sees it; its -wal and -shm files take the same mode.
    closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
    makePrivateSync(file);
    let db: Database.Database;
    try {
      const Driver = createRequire(import.meta.url)("better-sqlite3") as typeof Database;
      db = new Driver(file, { timeout: this.#busyTimeoutMs });
    } catch (error) {
      throw nativeModuleError(error, "better-sqlite3") ?? new AlephError("ALEPH_E_SETUP", `cannot open ${file} as SQLite: ${errorMessage(error)}`, { file, fix: "check the file is readable and writable by you", cause: error });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      migrateEvolution(db, file);
    } catch (error) {
      db.close();
      if (isDamage(error)) {
        throw new AlephError("ALEPH_E_CORRUPT", `${file} is not a readable SQLite database (${errorMessage(error)})`, {
          file,
          fix: "move it aside (it holds only skill statistics and suggestions); a new one is made on the next use",
          cause: error,
        });
      }
      throw error;
    }
    this.#db = db;
    return db;
  }
}
