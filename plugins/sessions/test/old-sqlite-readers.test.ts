import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../src/schema.js";
import { start, stop, tempRoot } from "./helpers.js";

/*
 * docs/sessions.md promises that any SQLite reader from 3.38 on (JSON built in) can read
 * sessions.db. The driver we ship bundles a recent SQLite, so these tests read the file with the
 * system's sqlite3 (Debian 12: 3.40.1, older than the 3.44 that added aggregate ORDER BY) and with
 * python3's sqlite3 module, as an outside reader would.
 */
const SQLITE3 = "/usr/bin/sqlite3";
const NO_SQLITE3 = `${SQLITE3} is absent: install it (apt-get install -y sqlite3) to check that an older SQLite reads sessions.db`;

/** Runs SQL through the system's sqlite3; JSON rows (sqlite3 -json), or throws with its stderr. */
function sqlite3(file: string, sql: string): Record<string, unknown>[] {
  const run = spawnSync(SQLITE3, ["-json", file, sql], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`sqlite3 exited ${run.status}: ${run.stderr.trim()}`);
  return run.stdout.trim() === "" ? [] : (JSON.parse(run.stdout) as Record<string, unknown>[]);
}

const seqsOf = (messagesJson: unknown) => (JSON.parse(messagesJson as string) as { seq: number }[]).map((m) => m.seq);

/** A session whose seq order differs from its rows' insertion (rowid) order: the summary a compaction writes at seq 50 comes after seqs 51…. */
async function writeSessions(root: string): Promise<number[]> {
  const { sessions } = await start({ root });
  const key = "agent:main:main";
  await sessions.append(key, Array.from({ length: 200 }, (_, i) => ({ role: "user" as const, content: `message ${i + 1} ${"x".repeat(200)}` })));
  await sessions.compact(key, { upTo: 50, summary: { content: "the first fifty" } });
  await sessions.append(key, { role: "assistant", content: "after the compaction" });
  await sessions.create("agent:main:telegram:dm:empty");
  const expected = (await sessions.history(key, { limit: 10_000 })).map((m) => m.seq);
  await stop();
  return expected;
}

describe("sessions.db read by an older SQLite", () => {
  it("opens in the system's sqlite3 and returns each session's messages in seq order, even where seq order is not row order", async (ctx) => {
    if (!existsSync(SQLITE3)) ctx.skip(NO_SQLITE3);
    const root = tempRoot();
    const expected = await writeSessions(root);
    expect(expected.slice(0, 3)).toEqual([50, 51, 52]);
    const file = join(root, "sessions.db");
    await ctx.annotate(`system sqlite3 is SQLite ${sqlite3(file, "SELECT sqlite_version() AS v")[0]!.v}`);

    const rows = sqlite3(file, "SELECT session_key, messages, message_count FROM sessions ORDER BY session_key");
    expect(rows.map((r) => r.session_key)).toEqual(["agent:main:main", "agent:main:telegram:dm:empty"]);
    expect(seqsOf(rows[0]!.messages)).toEqual(expected);
    expect(rows[0]!.message_count).toBe(expected.length);
    expect(rows[1]!.messages).toBe("[]");
    expect(sqlite3(file, "SELECT * FROM session_metadata ORDER BY session_key")).toEqual([
      { session_key: "agent:main:main", agent_id: "main", channel: "main", last_compaction: expect.any(Number) },
      { session_key: "agent:main:telegram:dm:empty", agent_id: "main", channel: "telegram", last_compaction: null },
    ]);
    // The bundled SQLite assembles the same array.
    const bundled = new Database(file, { readonly: true });
    try {
      expect(bundled.prepare("SELECT messages FROM sessions WHERE session_key = 'agent:main:main'").get()).toEqual({ messages: rows[0]!.messages });
    } finally {
      bundled.close();
    }
  });

  it("re-creates the views of a file written before the fix (version 1), after which the system's sqlite3 reads it, every row kept", async (ctx) => {
    if (!existsSync(SQLITE3)) ctx.skip(NO_SQLITE3);
    const root = tempRoot();
    const file = join(root, "sessions.db");
    // A version-1 file exactly as migration 1 leaves it, with one session in it.
    const v1 = new Database(file);
    v1.transaction(() => {
      MIGRATIONS.find((m) => m.version === 1)!.up(v1);
      v1.pragma("user_version = 1");
      v1.prepare("INSERT INTO session_heads (id, session_key, agent_id, channel, created_at, updated_at, message_count, token_count, last_seq) VALUES (1, 'agent:main:main', 'main', 'main', 1, 2, 2, 10, 2)").run();
      v1.prepare("INSERT INTO session_messages (session_id, seq, tokens, body) VALUES (1, 2, 5, ?), (1, 1, 5, ?)").run(
        JSON.stringify({ seq: 2, ts: 2, role: "assistant", content: "second", tokens: 5 }),
        JSON.stringify({ seq: 1, ts: 1, role: "user", content: "first", tokens: 5 }),
      );
    })();
    v1.close();
    // The failure the fix is for: an older SQLite cannot even parse the schema.
    expect(() => sqlite3(file, "SELECT count(*) AS n FROM session_heads")).toThrow(/malformed database schema \(sessions\)/);

    const { sessions } = await start({ root });
    expect((await sessions.append("agent:main:main", { role: "user", content: "third" })).messages[0]!.seq).toBe(3);
    await stop();

    expect(sqlite3(file, "PRAGMA user_version")).toEqual([{ user_version: 2 }]);
    const [row] = sqlite3(file, "SELECT messages FROM sessions WHERE session_key = 'agent:main:main'");
    expect((JSON.parse(row!.messages as string) as { content: string }[]).map((m) => m.content)).toEqual(["first", "second", "third"]);
    expect(sqlite3(file, "SELECT count(*) AS n FROM session_messages")).toEqual([{ n: 3 }]);
    expect(sqlite3(file, "PRAGMA quick_check")).toEqual([{ quick_check: "ok" }]);
  });

  it("opens in python3's sqlite3 module", async (ctx) => {
    const python = spawnSync("python3", ["--version"]);
    if (python.error || python.status !== 0) ctx.skip("python3 is absent: nothing to check");
    const root = tempRoot();
    const expected = await writeSessions(root);
    const script = [
      "import json, sqlite3, sys",
      "db = sqlite3.connect(sys.argv[1])",
      "rows = db.execute('SELECT session_key, messages FROM sessions ORDER BY session_key').fetchall()",
      "print(json.dumps({'version': sqlite3.sqlite_version, 'rows': rows}))",
    ].join("\n");
    const out = JSON.parse(execFileSync("python3", ["-c", script, join(root, "sessions.db")], { encoding: "utf8" })) as { version: string; rows: [string, string][] };
    await ctx.annotate(`python3's sqlite3 is SQLite ${out.version}`);
    expect(out.rows.map(([key]) => key)).toEqual(["agent:main:main", "agent:main:telegram:dm:empty"]);
    expect(seqsOf(out.rows[0]![1])).toEqual(expected);
  });
});
