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
    const messages = list.map((element, i) => legacyMessage(element, i + 1, updated));
    const tokens = messages.reduce((sum, m) => sum + m.tokens, 0);
    const lastCompaction = Number.isSafeInteger(row.meta_last_compaction) ? (row.meta_last_compaction as number) : null;
    const head = insertHead.run(row.session_key, columns.agentId, columns.channel, created, updated, messages.length, tokens, messages.length, lastCompaction);
    for (const m of messages) insertMessage.run(head.lastInsertRowid, m.seq, m.tokens, JSON.stringify(m));
  }
}

/**
 * One element of a legacy messages array as a SessionMessage. A message with a known role keeps
 * its role, content (null when it had none: an assistant turn that only calls tools), name and a
 * numeric ts; every other member (tool_calls, tool_call_id…) goes to meta.legacy, so nothing a
 * provider needs is dropped. Anything else is kept whole as the content of a system message.
 */
function legacyMessage(element: unknown, seq: number, fallbackTs: number): SessionMessage {
  const item = typeof element === "object" && element !== null && !Array.isArray(element) ? (element as Record<string, unknown>) : undefined;
  let message: SessionMessage;
  if (item && typeof item.role === "string" && (SESSION_ROLES as readonly string[]).includes(item.role)) {
    const { role, content, name, ts, ...rest } = item;
    message = { seq, ts: Number.isSafeInteger(ts) && (ts as number) >= 0 ? (ts as number) : fallbackTs, role: role as SessionRole, content: content ?? null, tokens: 0 };
    if (typeof name === "string" && name.length > 0) message.name = name;
    else if (name !== undefined) rest.name = name;
    if (Object.keys(rest).length > 0) message.meta = { legacy: rest };
  } else {
    message = { seq, ts: fallbackTs, role: "system", content: element ?? null, tokens: 0, meta: { legacy: true } };
  }
  message.tokens = estimateTokens(message);
  return message;
}
