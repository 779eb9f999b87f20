import type Database from "better-sqlite3";
import { estimateTokens, SESSION_ROLES, tryParseSessionKey, type SessionMessage, type SessionRole } from "@aleph/plugin-sdk";
import { keyColumns } from "./key-columns.js";

/*
 * Migration 1 on a sessions.db that already holds the documented tables as real tables (the
 * original Aleph layout: one JSON array per session). Their rows are copied into the new layout;
 * the old tables stay as legacy_sessions / legacy_session_metadata, so nothing is lost even for a
 * row that cannot be brought across (a key that does not parse, messages that are not a JSON array).
 */
export function importLegacySessions(db: Database.Database, hasMetadata: boolean): void {
  const rows = db
    .prepare(
      hasMetadata
        ? "SELECT s.*, m.agent_id AS meta_agent_id, m.channel AS meta_channel, m.last_compaction AS meta_last_compaction FROM legacy_sessions s LEFT JOIN legacy_session_metadata m USING (session_key)"
        : "SELECT * FROM legacy_sessions",
    )
    .all() as Record<string, unknown>[];
  const insertHead = db.prepare(
    "INSERT INTO session_heads (session_key, agent_id, channel, created_at, updated_at, message_count, token_count, last_seq, last_compaction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insertMessage = db.prepare("INSERT INTO session_messages (session_id, seq, message_id, tokens, body) VALUES (?, ?, NULL, ?, ?)");
  for (const row of rows) {
    const key = typeof row.session_key === "string" ? tryParseSessionKey(row.session_key) : undefined;
    let list: unknown;
    try {
      list = JSON.parse(String(row.messages ?? "[]"));
    } catch {
      continue;
    }
    if (!key || !Array.isArray(list)) continue;
    const columns = keyColumns(key);
    const now = Date.now();
    const created = Number.isSafeInteger(row.created_at) ? (row.created_at as number) : now;
    const updated = Number.isSafeInteger(row.updated_at) ? (row.updated_at as number) : created;
    const messages = list.map((element, i): SessionMessage => {
      const item = (typeof element === "object" && element !== null ? element : {}) as Record<string, unknown>;
      const known = typeof item.role === "string" && (SESSION_ROLES as readonly string[]).includes(item.role) && item.content !== undefined;
      const message: SessionMessage = known
        ? { seq: i + 1, ts: updated, role: item.role as SessionRole, content: item.content, tokens: 0 }
        : { seq: i + 1, ts: updated, role: "system", content: element ?? null, tokens: 0, meta: { legacy: true } };
      message.tokens = estimateTokens(message);
      return message;
    });
    const tokens = messages.reduce((sum, m) => sum + m.tokens, 0);
    const lastCompaction = Number.isSafeInteger(row.meta_last_compaction) ? (row.meta_last_compaction as number) : null;
    const head = insertHead.run(row.session_key, columns.agentId, columns.channel, created, updated, messages.length, tokens, messages.length, lastCompaction);
    for (const m of messages) insertMessage.run(head.lastInsertRowid, m.seq, m.tokens, JSON.stringify(m));
  }
}
