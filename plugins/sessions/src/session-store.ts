import type Database from "better-sqlite3";
import {
  AlephError,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_LIST_LIMIT,
  MAX_APPEND_BATCH,
  MAX_HISTORY_LIMIT,
  MAX_LIST_LIMIT,
  formatSessionKey,
  optionsOf,
  parseSessionKey,
  sessionKeyRange,
  type SessionAppendResult,
  type SessionCompactOptions,
  type SessionCompactResult,
  type SessionHistoryOptions,
  type SessionInfo,
  type SessionKeyKind,
  type SessionListFilter,
  type SessionMessage,
  type SessionMessageInput,
} from "@aleph/plugin-sdk";
import { corruptError, isCorruptionError } from "./damage.js";
import { keyColumns } from "./key-columns.js";
import { checkCount, checkMessageInput, storedBody, type CheckedMessage, type MessageLimits } from "./messages.js";
import type { CompactedMessage, ParsedSessionExport } from "./session-jsonl.js";

/*
 * The synchronous core of the `sessions` service over one sessions.db connection. Every write is
 * one IMMEDIATE transaction, so concurrent callers — in this process or in another one holding
 * the same file — never interleave: seqs are allocated from the header row inside the transaction
 * that inserts the messages. Events are emitted after the commit.
 */

interface HeadRow {
  id: number;
  session_key: string;
  agent_id: string;
  channel: string | null;
  created_at: number;
  updated_at: number;
  message_count: number;
  token_count: number;
  last_seq: number;
  last_compaction: number | null;
  archived_at: number | null;
}

export interface StoreEvents {
  created(info: SessionInfo): void;
  appended(info: SessionInfo, messages: SessionMessage[]): void;
  compacted(info: SessionInfo, replaced: number, summary: SessionMessage): void;
  archived(info: SessionInfo): void;
  deleted(key: string, count: number): void;
}

export interface StoreOptions {
  limits: MessageLimits;
  /** A whole, non-negative count (the plugin validates what a token-counter provider returns). */
  countTokens(message: SessionMessageInput): number;
  events: StoreEvents;
  /** The clock (ms since the epoch); tests pin it. */
  now?: () => number;
  /** Damage found when the file was opened: every write is refused with it from the start. */
  damage?: AlephError;
  /** Called once, when SQLite first reports damage on a statement (the store has just turned read-only). */
  onDamage?: (error: AlephError) => void;
}

function notFound(key: string): AlephError {
  return new AlephError("ALEPH_E_NOT_FOUND", `no session "${key}"`, { fix: "check the key with `aleph sessions list`" });
}

function checkLimit(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AlephError("ALEPH_E_USAGE", `limit must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`, { fix: `pass a limit from 1 to ${max}` });
  }
  return value;
}

/** Kinds of recently seen keys: parsing a key on every append and read is measurable. */
const kindCache = new Map<string, SessionKeyKind>();
const KIND_CACHE_SIZE = 4096;

function kindOf(key: string): SessionKeyKind {
  let kind = kindCache.get(key);
  if (kind === undefined) {
    kind = parseSessionKey(key).kind;
    if (kindCache.size >= KIND_CACHE_SIZE) kindCache.clear();
    kindCache.set(key, kind);
  }
  return kind;
}

function toInfo(row: HeadRow): SessionInfo {
  return {
    key: row.session_key,
    id: `s${row.id}-${row.created_at}`,
    kind: kindOf(row.session_key),
    agentId: row.agent_id,
    channel: row.channel,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    messageCount: row.message_count,
    tokenCount: row.token_count,
    lastSeq: row.last_seq,
    lastCompaction: row.last_compaction,
    archivedAt: row.archived_at,
  };
}

export class SessionStore {
  readonly #db: Database.Database;
  readonly #options: StoreOptions;
  readonly #now: () => number;
  readonly #sql;
  #damage: AlephError | undefined;

  constructor(db: Database.Database, options: StoreOptions) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#damage = options.damage;
    this.#sql = {
      live: db.prepare<[string], HeadRow>("SELECT * FROM session_heads WHERE session_key = ? AND archived_at IS NULL"),
      archivedAt: db.prepare<[string, number], HeadRow>("SELECT * FROM session_heads WHERE session_key = ? AND archived_at = ?"),
      allOfKey: db.prepare<[string], { id: number }>("SELECT id FROM session_heads WHERE session_key = ?"),
      insertHead: db.prepare(
        "INSERT INTO session_heads (session_key, agent_id, channel, created_at, updated_at, message_count, token_count, last_seq, last_compaction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      byId: db.prepare<[number], HeadRow>("SELECT * FROM session_heads WHERE id = ?"),
      // An id is stored once, even after its message was compacted away.
      messageById: db.prepare<[{ id: number; messageId: string }], { body: string }>(
        "SELECT body FROM session_messages WHERE session_id = @id AND message_id = @messageId UNION ALL SELECT body FROM session_compacted_messages WHERE session_id = @id AND message_id = @messageId LIMIT 1",
      ),
      insertMessage: db.prepare("INSERT INTO session_messages (session_id, seq, message_id, tokens, body) VALUES (?, ?, ?, ?, ?)"),
      afterAppend: db.prepare(
        "UPDATE session_heads SET last_seq = ?, message_count = message_count + ?, token_count = token_count + ?, updated_at = ? WHERE id = ?",
      ),
      history: db.prepare<[number, number, number], { body: string }>(
        "SELECT body FROM session_messages WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      allMessages: db.prepare<[number], { body: string }>("SELECT body FROM session_messages WHERE session_id = ? ORDER BY seq"),
      allCompacted: db.prepare<[number], { body: string; compacted_at: number }>("SELECT body, compacted_at FROM session_compacted_messages WHERE session_id = ? ORDER BY rowid"),
      insertCompacted: db.prepare("INSERT INTO session_compacted_messages (session_id, seq, message_id, tokens, body, compacted_at) VALUES (?, ?, ?, ?, ?, ?)"),
      // rows: messages replaced now; originals: the messages they stand for (a summary counts what it summarised).
      replaced: db.prepare<[{ id: number; upTo: number }], { count: number; originals: number; tokens: number | null; first: string | null }>(
        "SELECT count(*) AS count, sum(coalesce(json_extract(body, '$.summaryOf.count'), 1)) AS originals, sum(tokens) AS tokens, (SELECT body FROM session_messages WHERE session_id = @id AND seq <= @upTo ORDER BY seq LIMIT 1) AS first FROM session_messages WHERE session_id = @id AND seq <= @upTo",
      ),
      moveCompacted: db.prepare(
        "INSERT INTO session_compacted_messages (session_id, seq, message_id, tokens, body, compacted_at) SELECT session_id, seq, message_id, tokens, body, ? FROM session_messages WHERE session_id = ? AND seq <= ?",
      ),
      deleteUpTo: db.prepare("DELETE FROM session_messages WHERE session_id = ? AND seq <= ?"),
      afterCompact: db.prepare("UPDATE session_heads SET message_count = ?, token_count = ?, last_compaction = ?, updated_at = ? WHERE id = ?"),
      lastArchivedAt: db.prepare<[string], { at: number | null }>("SELECT max(archived_at) AS at FROM session_heads WHERE session_key = ?"),
      archive: db.prepare("UPDATE session_heads SET archived_at = ? WHERE id = ?"),
      deleteMessages: db.prepare("DELETE FROM session_messages WHERE session_id = ?"),
      deleteCompacted: db.prepare("DELETE FROM session_compacted_messages WHERE session_id = ?"),
      deleteHead: db.prepare("DELETE FROM session_heads WHERE id = ?"),
    };
  }

  /**
   * Runs a read. SQLite reporting damage (SQLITE_CORRUPT, SQLITE_NOTADB) on any statement turns the
   * store read-only for good: the caller gets ALEPH_E_CORRUPT, later writes are refused.
   */
  #read<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!isCorruptionError(error)) throw error;
      const first = this.#damage === undefined;
      const damage = corruptError(this.#db.name, (error as Error).message, error);
      this.#damage ??= damage;
      if (first) {
        try {
          this.#db.pragma("query_only = ON");
        } catch {
          // The refusal below does not depend on it; query_only is a second lock on the same door.
        }
        this.#options.onDamage?.(damage);
      }
      throw damage;
    }
  }

  /** Runs a write: refused on a damaged file, before anything is read or written. */
  #write<T>(run: () => T): T {
    if (this.#damage) throw new AlephError("ALEPH_E_CORRUPT", this.#damage.message, { file: this.#db.name, fix: this.#damage.fix, cause: this.#damage });
    return this.#read(run);
  }

  /** The damage that made the store read-only, if any. */
  get damage(): AlephError | undefined {
    return this.#damage;
  }

  #live(key: string): HeadRow | undefined {
    return this.#sql.live.get(key);
  }

  #createHead(key: string, createdAt: number): HeadRow {
    const columns = keyColumns(parseSessionKey(key));
    const result = this.#sql.insertHead.run(key, columns.agentId, columns.channel, createdAt, createdAt, 0, 0, 0, null);
    return this.#sql.byId.get(Number(result.lastInsertRowid))!;
  }

  /** Validates a key, returning its canonical text (parse → format is the identity for valid keys). */
  #key(key: unknown): string {
    if (typeof key !== "string") {
      throw new AlephError("ALEPH_E_SESSION_KEY", `session key must be a string, got ${key === null ? "null" : typeof key}`, { fix: "pass a key such as agent:main:main" });
    }
    // A key seen before is valid and canonical (only canonical keys are cached, by kindOf).
    if (kindCache.has(key)) return key;
    const canonical = formatSessionKey(parseSessionKey(key));
    kindOf(canonical);
    return canonical;
  }

  #tokens(message: CheckedMessage): number {
    if (message.tokens !== undefined) return message.tokens;
    return this.#options.countTokens(message);
  }

  create(keyText: string): SessionInfo {
    return this.#write(() => {
      const key = this.#key(keyText);
      const info = this.#db
        .transaction(() => {
          if (this.#live(key)) {
            throw new AlephError("ALEPH_E_DUPLICATE", `session "${key}" already exists`, { fix: "append to it, or archive it first to start afresh" });
          }
          return toInfo(this.#createHead(key, this.#now()));
        })
        .immediate();
      this.#options.events.created(info);
      return info;
    });
  }

  get(keyText: string): SessionInfo | undefined {
    return this.#read(() => {
      const row = this.#live(this.#key(keyText));
      return row ? toInfo(row) : undefined;
    });
  }

  append(keyText: string, input: SessionMessageInput | SessionMessageInput[]): SessionAppendResult {
    return this.#write(() => {
      const key = this.#key(keyText);
      const list = Array.isArray(input) ? input : [input];
      if (list.length === 0) throw new AlephError("ALEPH_E_USAGE", "append needs at least one message", { fix: "pass a message or a non-empty array" });
      if (list.length > MAX_APPEND_BATCH) throw new AlephError("ALEPH_E_LIMIT", `append takes at most ${MAX_APPEND_BATCH} messages per call, got ${list.length}`, { fix: "split the batch" });
      // Shape checks before the transaction; the strict-JSON and size checks of each body run inside
      // it, where a refusal rolls back the whole batch: a refused message means nothing was written.
      const where = (i: number) => (list.length === 1 ? "message" : `message ${i + 1}`);
      const checked = list.map((m, i) => checkMessageInput(m, where(i)));
      const tokens = checked.map((m) => this.#tokens(m));
      let created: SessionInfo | undefined;
      const written: SessionMessage[] = [];
      const result = this.#db
        .transaction((): SessionAppendResult => {
          const now = this.#now();
          let head = this.#live(key);
          if (!head) {
            head = this.#createHead(key, now);
            created = toInfo(head);
          }
          const stored: SessionMessage[] = [];
          let seq = head.last_seq;
          let added = 0;
          let addedTokens = 0;
          const seenIds = new Map<string, SessionMessage>();
          checked.forEach((message, i) => {
            if (message.id !== undefined) {
              const row = seenIds.has(message.id) ? undefined : this.#sql.messageById.get({ id: head!.id, messageId: message.id });
              const earlier = seenIds.get(message.id) ?? (row ? (JSON.parse(row.body) as SessionMessage) : undefined);
              if (earlier) {
                stored.push(earlier);
                return;
              }
            }
            seq += 1;
            const { body, stored: snapshot } = storedBody({ ...message, seq, ts: now, tokens: tokens[i]! }, this.#options.limits, where(i));
            this.#sql.insertMessage.run(head!.id, seq, message.id ?? null, tokens[i]!, body);
            if (message.id !== undefined) seenIds.set(message.id, snapshot);
            stored.push(snapshot);
            written.push(snapshot);
            added += 1;
            addedTokens += tokens[i]!;
          });
          if (added === 0) return { messages: stored, session: toInfo(head) };
          this.#sql.afterAppend.run(seq, added, addedTokens, now, head.id);
          // The header as just written, without reading it back (this is the hot path).
          const after: HeadRow = { ...head, last_seq: seq, message_count: head.message_count + added, token_count: head.token_count + addedTokens, updated_at: now };
          return { messages: stored, session: toInfo(after) };
        })
        .immediate();
      if (created) this.#options.events.created(created);
      if (written.length > 0) this.#options.events.appended(result.session, written);
      return result;
    });
  }

  history(keyText: string, given?: SessionHistoryOptions | null): SessionMessage[] {
    return this.#read(() => {
      const key = this.#key(keyText);
      const options = optionsOf(given, "history");
      const limit = checkLimit(options.limit, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT);
      const before = options.before == null ? Number.MAX_SAFE_INTEGER : checkCount("before", options.before, "history");
      const head = this.#live(key);
      if (!head) throw notFound(key);
      return this.#sql
        .history.all(head.id, before, limit)
        .reverse()
        .map((row) => JSON.parse(row.body) as SessionMessage);
    });
  }

  list(given?: SessionListFilter | null): SessionInfo[] {
    return this.#read(() => {
      const filter = optionsOf(given, "list");
      const where: string[] = [filter.archived ? "archived_at IS NOT NULL" : "archived_at IS NULL"];
      const params: unknown[] = [];
      if (filter.prefix != null) {
        if (typeof filter.prefix !== "string" || filter.prefix.length === 0) {
          throw new AlephError("ALEPH_E_USAGE", "prefix must be a non-empty string", { fix: "pass a key prefix such as agent:main:" });
        }
        // A range on the key index, not LIKE: LIKE would treat % and _ in escaped keys as wildcards.
        const range = sessionKeyRange(filter.prefix);
        where.push("session_key >= ? AND session_key < ?");
        params.push(range.start, range.end);
      }
      if (filter.agentId != null) {
        where.push("agent_id = ?");
        params.push(filter.agentId);
      }
      if (filter.channel != null) {
        where.push("channel = ?");
        params.push(filter.channel);
      }
      if (filter.updatedSince != null) {
        where.push("updated_at >= ?");
        params.push(checkCount("updatedSince", filter.updatedSince, "list"));
      }
      const limit = checkLimit(filter.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      params.push(limit);
      const rows = this.#db.prepare<unknown[], HeadRow>(`SELECT * FROM session_heads WHERE ${where.join(" AND ")} ORDER BY updated_at DESC, session_key LIMIT ?`).all(...params);
      return rows.map(toInfo);
    });
  }

  compact(keyText: string, options: SessionCompactOptions): SessionCompactResult {
    return this.#write(() => {
      const key = this.#key(keyText);
      if (typeof options !== "object" || options === null) throw new AlephError("ALEPH_E_USAGE", "compact needs { upTo, summary }", { fix: "pass the last seq to replace and a summary message" });
      const upTo = checkCount("upTo", options.upTo, "compact");
      const summaryInput = checkMessageInput({ role: "system", ...(options.summary as object) }, "summary");
      if (summaryInput.id !== undefined) {
        throw new AlephError("ALEPH_E_USAGE", "a compaction summary takes no idempotency id", { fix: "drop id from the summary: it is not a message anyone delivers twice" });
      }
      const summaryTokens = this.#tokens(summaryInput);
      const result = this.#db
        .transaction((): SessionCompactResult => {
          const head = this.#live(key);
          if (!head) throw notFound(key);
          if (upTo > head.last_seq) {
            throw new AlephError("ALEPH_E_USAGE", `cannot compact "${key}" up to seq ${upTo}: its last message is ${head.last_seq}`, { fix: `pass upTo ≤ ${head.last_seq}` });
          }
          const replaced = this.#sql.replaced.get({ id: head.id, upTo })!;
          if (replaced.count === 0) {
            throw new AlephError("ALEPH_E_USAGE", `nothing to compact in "${key}" up to seq ${upTo}`, { fix: "pass a larger upTo" });
          }
          const first = JSON.parse(replaced.first!) as SessionMessage;
          const now = this.#now();
          const from = first.summaryOf?.from ?? first.seq;
          const { body, stored } = storedBody(
            { ...summaryInput, seq: upTo, ts: now, tokens: summaryTokens, summaryOf: { from, to: upTo, count: replaced.originals } },
            this.#options.limits,
            "summary",
          );
          this.#sql.moveCompacted.run(now, head.id, upTo);
          this.#sql.deleteUpTo.run(head.id, upTo);
          this.#sql.insertMessage.run(head.id, upTo, null, summaryTokens, body);
          this.#sql.afterCompact.run(head.message_count - replaced.count + 1, head.token_count - (replaced.tokens ?? 0) + summaryTokens, now, now, head.id);
          return { replaced: replaced.count, summary: stored, session: toInfo(this.#sql.byId.get(head.id)!) };
        })
        .immediate();
      this.#options.events.compacted(result.session, result.replaced, result.summary);
      return result;
    });
  }

  archive(keyText: string): SessionInfo {
    return this.#write(() => {
      const key = this.#key(keyText);
      const info = this.#db
        .transaction(() => {
          const head = this.#live(key);
          if (!head) throw notFound(key);
          // archived_at identifies an archived session of a key: keep it unique per key.
          const last = this.#sql.lastArchivedAt.get(key)?.at ?? 0;
          const at = Math.max(this.#now(), last + 1);
          this.#sql.archive.run(at, head.id);
          return toInfo({ ...head, archived_at: at });
        })
        .immediate();
      this.#options.events.archived(info);
      return info;
    });
  }

  delete(keyText: string, given?: { archived?: boolean } | null): number {
    return this.#write(() => {
      const key = this.#key(keyText);
      const options = optionsOf(given, "delete");
      const count = this.#db
        .transaction(() => {
          const ids = options.archived ? this.#sql.allOfKey.all(key).map((r) => r.id) : [this.#live(key)?.id].filter((id): id is number => id !== undefined);
          for (const id of ids) {
            this.#sql.deleteMessages.run(id);
            this.#sql.deleteCompacted.run(id);
            this.#sql.deleteHead.run(id);
          }
          return ids.length;
        })
        .immediate();
      if (count > 0) this.#options.events.deleted(key, count);
      return count;
    });
  }

  /** The head and every message of a session (live, or the archived one with that archivedAt). */
  snapshot(keyText: string, archivedAt?: number): { info: SessionInfo; messages: SessionMessage[]; compacted: CompactedMessage[] } {
    return this.#read(() => {
      const key = this.#key(keyText);
      const head = archivedAt === undefined ? this.#live(key) : this.#sql.archivedAt.get(key, checkCount("archivedAt", archivedAt, "export"));
      if (!head) throw archivedAt === undefined ? notFound(key) : new AlephError("ALEPH_E_NOT_FOUND", `no archived session "${key}" archived at ${archivedAt}`, { fix: "list them with `aleph sessions list --archived`" });
      // One read transaction: the head and the messages are from the same instant.
      return this.#db.transaction(() => ({
        info: toInfo(this.#sql.byId.get(head.id)!),
        messages: this.#sql.allMessages.all(head.id).map((r) => JSON.parse(r.body) as SessionMessage),
        compacted: this.#sql.allCompacted.all(head.id).map((r) => ({ compactedAt: r.compacted_at, message: JSON.parse(r.body) as SessionMessage })),
      }))();
    });
  }

  /** Writes a parsed export as the live session of its key. */
  restore(parsed: ParsedSessionExport, replace: boolean): SessionInfo {
    return this.#write(() => {
      const key = this.#key(parsed.header.key);
      let archived: SessionInfo | undefined;
      const info = this.#db
        .transaction(() => {
          const live = this.#live(key);
          if (live && !replace) {
            throw new AlephError("ALEPH_E_DUPLICATE", `session "${key}" already exists`, { fix: "import with --replace to archive the existing one first, or remove it" });
          }
          if (live) {
            const at = Math.max(this.#now(), (this.#sql.lastArchivedAt.get(key)?.at ?? 0) + 1);
            this.#sql.archive.run(at, live.id);
            archived = toInfo({ ...live, archived_at: at });
          }
          const head = this.#createHead(key, parsed.header.createdAt);
          let tokens = 0;
          for (const [i, message] of parsed.messages.entries()) {
            // Inside the transaction: a refusal (size, strict JSON) rolls the whole import back.
            const { body } = storedBody(message, this.#options.limits, `session import, line ${i + 2}`);
            this.#sql.insertMessage.run(head.id, message.seq, message.id ?? null, message.tokens, body);
            tokens += message.tokens;
          }
          for (const { compactedAt, message } of parsed.compacted) {
            const { body } = storedBody(message, this.#options.limits, "compacted message");
            this.#sql.insertCompacted.run(head.id, message.seq, message.id ?? null, message.tokens, body, compactedAt);
          }
          const lastSeq = Math.max(parsed.header.lastSeq, parsed.messages.at(-1)?.seq ?? 0);
          this.#db
            .prepare("UPDATE session_heads SET updated_at = ?, message_count = ?, token_count = ?, last_seq = ?, last_compaction = ? WHERE id = ?")
            .run(parsed.header.updatedAt, parsed.messages.length, tokens, lastSeq, parsed.header.lastCompaction, head.id);
          return toInfo(this.#sql.byId.get(head.id)!);
        })
        .immediate();
      if (archived) this.#options.events.archived(archived);
      this.#options.events.created(info);
      return info;
    });
  }
}
