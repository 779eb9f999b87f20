import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { readJsonLines, type ChatMessage, type SessionMessage } from "@aleph/plugin-sdk";
import { runAndKill } from "@aleph/testing";
import { pluginDir, tempRoot } from "./helpers.js";

// The chat plugin as installed (a dev dependency, so turbo builds it before these tests run).
const chatDir = dirname(fileURLToPath(import.meta.resolve("@aleph/plugin-chat/aleph_plugin.toml")));
const fixture = fileURLToPath(new URL("./fixtures/crash-writer.mjs", import.meta.url));
const ROUNDS = 20;

describe("crash safety", () => {
  it(`keeps every acknowledged session append and chat post across ${ROUNDS} SIGKILLs: no duplicates, integrity ok, at most one torn chat line per kill`, async () => {
    const root = tempRoot();
    const ackedSession = new Map<string, number>(); // content tag → seq
    const ackedChat = new Map<string, number>(); // idempotency key → seq
    let damagedBefore = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // A random moment: anywhere from mid-first-write to a few hundred writes in.
      const lines = await runAndKill(fixture, [root, pluginDir, chatDir, String(round)], { cwd: pluginDir, killAfterMs: Math.random() * 400 });
      for (const line of lines) {
        const m = /^([SC]) (\d+) (\S+)$/.exec(line);
        if (m) (m[1] === "S" ? ackedSession : ackedChat).set(m[3]!, Number(m[2]));
      }

      const db = new Database(join(root, "sessions.db"), { fileMustExist: true });
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
        const row = db.prepare("SELECT messages, message_count FROM sessions WHERE session_key = 'agent:main:main'").get() as { messages: string; message_count: number } | undefined;
        const messages = row ? (JSON.parse(row.messages) as SessionMessage[]) : [];
        const seqs = messages.map((m) => m.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // gap-free, no repeats
        expect(row?.message_count ?? 0).toBe(messages.length);
        const tags = messages.map((m) => String(m.content).split(" ")[0]!);
        expect(new Set(tags).size).toBe(tags.length);
        const stored = new Map(tags.map((t, i) => [t, seqs[i]!]));
        for (const [tag, seq] of ackedSession) expect(stored.get(tag), `acknowledged session message ${tag}`).toBe(seq);
      } finally {
        db.close();
      }

      const { records, invalid, torn } = readJsonLines<ChatMessage>(join(root, "chat", "chats", "crash.jsonl"));
      const damaged = invalid.length + (torn ? 1 : 0);
      expect(damaged - damagedBefore, `damaged chat lines added by kill ${round + 1}`).toBeLessThanOrEqual(1);
      damagedBefore = damaged;
      const chatSeqs = records.map((r) => r.seq);
      expect(new Set(chatSeqs).size).toBe(chatSeqs.length);
      expect(chatSeqs).toEqual([...chatSeqs].sort((a, b) => a - b));
      const keys = records.map((r) => r.key!);
      expect(new Set(keys).size).toBe(keys.length);
      const byKey = new Map(records.map((r) => [r.key!, r.seq]));
      for (const [key, seq] of ackedChat) expect(byKey.get(key), `acknowledged chat post ${key}`).toBe(seq);
    }
    // The writer made progress in most rounds (the test would prove nothing otherwise).
    expect(ackedSession.size).toBeGreaterThan(ROUNDS);
    expect(ackedChat.size).toBeGreaterThan(ROUNDS);
  }, 180_000);
});
