import { join } from "node:path";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { createTestKernel } from "@aleph/testing";
import { SCHEMA_VERSION } from "../src/schema.js";
import { pluginDir, reader, start, stop, tempRoot } from "./helpers.js";

function columns(db: Database.Database, name: string): { name: string; type: string }[] {
  return (db.pragma(`table_info(${name})`) as { name: string; type: string }[]).map(({ name, type }) => ({ name, type }));
}

describe("sessions.db schema", () => {
  it("has the documented sessions and session_metadata with their columns and types, and messages reads back as the JSON array appended", async () => {
    const { kernel, sessions } = await start();
    const appended = [
      { role: "user" as const, content: "hello" },
      { role: "assistant" as const, content: [{ type: "text", text: "hi ✓" }], meta: { model: "m1" } },
      { role: "tool" as const, name: "search", content: { results: [1, 2.5, null, true] } },
    ];
    await sessions.append("agent:main:telegram:dm:user123", appended[0]!);
    await sessions.append("agent:main:telegram:dm:user123", appended.slice(1));
    await sessions.append("subagent:agent:main:translator", { role: "user", content: "bonjour" });

    const db = reader(kernel.root);
    try {
      expect(columns(db, "sessions")).toEqual([
        { name: "session_key", type: "TEXT" },
        { name: "messages", type: "TEXT" },
        { name: "created_at", type: "INTEGER" },
        { name: "updated_at", type: "INTEGER" },
        { name: "message_count", type: "INTEGER" },
        { name: "token_count", type: "INTEGER" },
      ]);
      expect(columns(db, "session_metadata")).toEqual([
        { name: "session_key", type: "TEXT" },
        { name: "agent_id", type: "TEXT" },
        { name: "channel", type: "TEXT" },
        { name: "last_compaction", type: "INTEGER" },
      ]);

      const row = db.prepare("SELECT messages FROM sessions WHERE session_key = ?").get("agent:main:telegram:dm:user123") as { messages: string };
      const messages = JSON.parse(row.messages) as Record<string, unknown>[];
      expect(messages.map(({ role, content, name, meta }) => ({ role, content, ...(name ? { name } : {}), ...(meta ? { meta } : {}) }))).toEqual(appended);
      expect(messages.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(typeof row.messages).toBe("string");

      const head = db.prepare("SELECT * FROM sessions WHERE session_key = ?").get("agent:main:telegram:dm:user123") as Record<string, unknown>;
      expect(head.message_count).toBe(3);
      expect(head.token_count).toBe(messages.reduce((sum, m) => sum + (m.tokens as number), 0));
      expect(head.created_at as number).toBeLessThanOrEqual(head.updated_at as number);

      expect(db.prepare("SELECT * FROM session_metadata ORDER BY session_key").all()).toEqual([
        { session_key: "agent:main:telegram:dm:user123", agent_id: "main", channel: "telegram", last_compaction: null },
        { session_key: "subagent:agent:main:translator", agent_id: "main", channel: null, last_compaction: null },
      ]);
      // An empty session reads as an empty array, not NULL.
      await sessions.create("agent:main:main");
      expect(db.prepare("SELECT messages FROM sessions WHERE session_key = 'agent:main:main'").get()).toEqual({ messages: "[]" });
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  });

  it("serves prefix, agent and channel queries from indexes, not table scans", async () => {
    const { kernel, sessions } = await start();
    await sessions.append("agent:main:main", { role: "user", content: "x" });
    const db = reader(kernel.root);
    try {
      const plan = (sql: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
      expect(plan("SELECT * FROM session_heads WHERE archived_at IS NULL AND session_key >= ? AND session_key < ?", "agent:main:", "agent:main;")).toMatch(/USING (COVERING )?INDEX session_heads_(live_)?key/);
      expect(plan("SELECT * FROM session_heads WHERE archived_at IS NULL AND agent_id = ?", "main")).toMatch(/USING INDEX session_heads_agent/);
      expect(plan("SELECT * FROM session_heads WHERE archived_at IS NULL AND channel = ?", "telegram")).toMatch(/USING INDEX session_heads_channel/);
      expect(plan("SELECT messages FROM sessions WHERE session_key = ?", "agent:main:main")).toMatch(/USING INDEX session_heads_live_key/);
      // Reading a session's messages walks its own rows by primary key.
      expect(plan("SELECT body FROM session_messages WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?", 1, 10, 10)).toMatch(/USING PRIMARY KEY|USING INDEX sqlite_autoindex_session_messages/);
    } finally {
      db.close();
    }
  });

  it("migrates forward once and refuses a file from a newer schema without touching it", async () => {
    const root = tempRoot();
    const { sessions } = await start({ root });
    await sessions.list(); // a fresh workspace's file is created on first use
    await stop();
    const file = join(root, "sessions.db");
    const db = new Database(file);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.pragma("user_version = 99");
    db.close();

    const kernel = await createTestKernel({ plugins: [pluginDir], root });
    try {
      expect(kernel.plugin("sessions")).toMatchObject({
        status: "failed",
        error: { message: expect.stringMatching(`schema version 99, newer than this Aleph knows \\(${SCHEMA_VERSION}\\)`), fix: expect.stringMatching(/upgrade Aleph/) },
      });
    } finally {
      await kernel.stop();
    }
    const after = new Database(file, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(99);
    after.close();
  });

  it("brings the sessions of a legacy sessions.db (documented tables as real tables) across and keeps the originals", async () => {
    const root = tempRoot();
    const legacy = new Database(join(root, "sessions.db"));
    legacy.exec(`
      CREATE TABLE sessions (session_key TEXT PRIMARY KEY, messages TEXT, created_at INTEGER, updated_at INTEGER, message_count INTEGER, token_count INTEGER);
      CREATE TABLE session_metadata (session_key TEXT PRIMARY KEY, agent_id TEXT, channel TEXT, last_compaction INTEGER);
    `);
    legacy
      .prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)")
      .run(
        "agent:main:main",
        JSON.stringify([
          { role: "user", content: "old hi" },
          { role: "assistant", content: "old hello" },
          { weird: 1 },
          { role: "assistant", tool_calls: [{ id: "call_1", function: { name: "weather" } }] },
          { role: "tool", tool_call_id: "call_1", name: "weather", content: "sunny", ts: 1234 },
        ]),
        1000,
        2000,
        5,
        10,
      );
    legacy.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)").run("not a key", "[]", 1, 1, 0, 0);
    legacy.prepare("INSERT INTO session_metadata VALUES (?, ?, ?, ?)").run("agent:main:main", "main", "main", 1500);
    legacy.close();

    const { sessions } = await start({ root });
    const info = await sessions.get("agent:main:main");
    expect(info).toMatchObject({ messageCount: 5, lastSeq: 5, createdAt: 1000, updatedAt: 2000, lastCompaction: 1500 });
    const history = await sessions.history("agent:main:main");
    expect(history.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, "user", "old hi"],
      [2, "assistant", "old hello"],
      [3, "system", { weird: 1 }],
      [4, "assistant", null],
      [5, "tool", "sunny"],
    ]);
    // Nothing a provider needs is dropped: the other members are kept in meta.legacy.
    expect(history[3]!.meta).toEqual({ legacy: { tool_calls: [{ id: "call_1", function: { name: "weather" } }] } });
    expect(history[4]).toMatchObject({ name: "weather", ts: 1234, meta: { legacy: { tool_call_id: "call_1" } } });
    await sessions.append("agent:main:main", { role: "user", content: "new" });
    expect((await sessions.get("agent:main:main"))!.lastSeq).toBe(6);
    await stop();

    const db = new Database(join(root, "sessions.db"), { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'legacy_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(["legacy_session_metadata", "legacy_sessions"]);
    // The unparseable key was not brought across, and not lost either.
    expect(db.prepare("SELECT count(*) AS n FROM legacy_sessions").get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 1 });
    db.close();
  });
});

describe("sessions.db on a fresh workspace", () => {
  it("is created on first use, or just after the kernel is ready — not on the way to ready — owner-only", async () => {
    const { existsSync, statSync } = await import("node:fs");
    const root = tempRoot();
    const file = join(root, "sessions.db");
    const kernel = await createTestKernel({ plugins: [pluginDir], root });
    try {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await kernel.stop();
    }
  });
});
