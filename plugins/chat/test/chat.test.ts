import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestKernel, runAndKill, runPluginConformance, type TestKernel } from "@aleph/testing";
import { readJsonLines } from "@aleph/plugin-sdk";
import { chatRef, type ChatMessage, type ChatService } from "@aleph/plugin-sdk";

const pluginDir = fileURLToPath(new URL("..", import.meta.url));
let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

// Roots these tests keep across restarts: removed at the end, once the kernels' loggers are done with them.
const roots: string[] = [];
function tempRoot(prefix = "aleph-chat-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await new Promise((r) => setTimeout(r, 500));
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function start(options: { root?: string; config?: Record<string, unknown> } = {}): Promise<ChatService> {
  kernel = await createTestKernel({ plugins: [pluginDir], ...options });
  expect(kernel.plugin("chat")?.status).toBe("active");
  return kernel.service(chatRef)!;
}

describe("chat", () => {
  it("posts, reads, lists unread and advances cursors", async () => {
    const chat = await start();
    const first = await chat.post("general", { from: "alice", content: "hello" });
    expect(first).toMatchObject({ seq: 1, chatId: "general", from: "alice", content: "hello" });
    expect(new Date(first.ts).toISOString()).toBe(first.ts);
    const second = await chat.post("general", { from: "bob", content: { text: "hi", mentions: ["alice"] } });
    expect(second.seq).toBe(2);
    await chat.post("general", { from: "alice", content: "third" });

    const all = await chat.read("general");
    expect(all.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(all.lastSeq).toBe(3);
    expect(all.torn).toEqual([]);
    expect((await chat.read("general", { after: 1, limit: 1 })).messages.map((m) => m.seq)).toEqual([2]);
    expect((await chat.read("general", { after: 3 })).messages).toEqual([]);
    expect((await chat.read("empty")).messages).toEqual([]);

    expect((await chat.unread("general", "bob")).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(await chat.advance("general", "bob", 2)).toBe(2);
    const unread = await chat.unread("general", "bob");
    expect(unread.cursor).toBe(2);
    expect(unread.messages.map((m) => m.content)).toEqual(["third"]);
    // Per agent.
    expect((await chat.unread("general", "alice")).messages).toHaveLength(3);

    // On disk: the SOT layout.
    const root = kernel!.root;
    const lines = readFileSync(join(root, "chat", "chats", "general.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as ChatMessage).seq)).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(join(root, "chat", "cursors", "general", "bob.json"), "utf8"))).toEqual({ seq: 2 });
    expect(readdirSync(join(root, "chat", "cursors", "general"))).toEqual(["bob.json"]); // no temp files left
  });

  it("keeps seq monotonic per chat, across a restart", async () => {
    const root = tempRoot();
    try {
      let chat = await start({ root });
      for (let i = 0; i < 5; i++) await chat.post("a", { from: "x", content: i });
      await chat.post("b", { from: "x", content: "other chat" });
      await kernel!.stop();
      chat = await start({ root });
      expect((await chat.post("a", { from: "x", content: "after restart" })).seq).toBe(6);
      expect((await chat.post("b", { from: "x", content: "again" })).seq).toBe(2);
      expect((await chat.read("a")).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await kernel?.stop();
      kernel = undefined;
    }
  });

  it("does not write a message twice for a repeated idempotency key (also after a restart)", async () => {
    const root = tempRoot();
    try {
      let chat = await start({ root });
      const a = await chat.post("c", { from: "alice", content: "once", key: "k1" });
      const again = await chat.post("c", { from: "alice", content: "once", key: "k1" });
      expect(again).toEqual(a);
      const [x, y] = await Promise.all([
        chat.post("c", { from: "alice", content: "par", key: "k2" }),
        chat.post("c", { from: "alice", content: "par", key: "k2" }),
      ]);
      expect(x).toEqual(y);
      await kernel!.stop();
      chat = await start({ root });
      expect(await chat.post("c", { from: "alice", content: "once", key: "k1" })).toEqual(a);
      expect((await chat.read("c")).messages.map((m) => m.key)).toEqual(["k1", "k2"]);
      // Keys are per chat.
      expect((await chat.post("d", { from: "alice", content: "once", key: "k1" })).seq).toBe(1);
    } finally {
      await kernel?.stop();
      kernel = undefined;
    }
  });

  it("gives 8 concurrent writers of 50 posts each the seqs 1..400 exactly once", async () => {
    const chat = await start({ config: { chat: { fsync: false } } });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        Promise.all(Array.from({ length: 50 }, (_, i) => chat.post("busy", { from: `w${w}`, content: `${w}:${i}` }))),
      ),
    );
    const seqs = results.flat().map((m) => m.seq).sort((p, q) => p - q);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const onDisk: number[] = [];
    for (let after = 0; ; ) {
      const page = await chat.read("busy", { after, limit: 1000 });
      if (page.messages.length === 0) break;
      onDisk.push(...page.messages.map((m) => m.seq));
      after = page.messages.at(-1)!.seq;
    }
    expect(onDisk).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const contents = new Set((await chat.read("busy", { limit: 1000 })).messages.map((m) => m.content));
    expect(contents.size).toBe(400);
  });

  it("reports a torn last line, continues on a fresh line and never reuses its seq", async () => {
    const root = tempRoot();
    try {
      let chat = await start({ root });
      await chat.post("t", { from: "a", content: "one" });
      await chat.post("t", { from: "a", content: "two" });
      await kernel!.stop();
      // A crash mid-write of message 3.
      appendFileSync(join(root, "chat", "chats", "t.jsonl"), '{"seq":3,"chatId":"t","from":"a","ts":"2026-');
      chat = await start({ root });
      const status = await chat.status("t");
      expect(status).toMatchObject({ lastSeq: 3, count: 2, torn: [{ line: 3, seq: 3 }] });
      const read = await chat.read("t");
      expect(read.messages.map((m) => m.seq)).toEqual([1, 2]);
      expect(read.more).toBe(false); // the torn seq 3 is not a message to wait for
      expect((await chat.read("t", { after: 2 })).more).toBe(false);
      expect(read.torn).toEqual([expect.objectContaining({ line: 3, seq: 3 })]);
      expect(kernel!.events.length).toBeGreaterThan(0);

      const next = await chat.post("t", { from: "a", content: "four" });
      expect(next.seq).toBe(4);
      const after = await chat.read("t");
      expect(after.messages.map((m) => [m.seq, m.content])).toEqual([
        [1, "one"],
        [2, "two"],
        [4, "four"],
      ]);
      // Still reported (now as a damaged line in the middle), after another restart too.
      await kernel!.stop();
      chat = await start({ root });
      expect((await chat.status("t")).torn).toEqual([expect.objectContaining({ line: 3, seq: 3 })]);
      expect((await chat.post("t", { from: "a", content: "five" })).seq).toBe(5);

      // A fragment too short to show a seq: continue after the last complete one.
      appendFileSync(join(root, "chat", "chats", "t.jsonl"), '{"se');
      expect((await chat.status("t")).torn).toHaveLength(2); // noticed without a restart
      expect((await chat.post("t", { from: "a", content: "six" })).seq).toBe(6);
      const { records, invalid, torn } = readJsonLines<ChatMessage>(join(root, "chat", "chats", "t.jsonl"));
      expect(records.map((r) => r.seq)).toEqual([1, 2, 4, 5, 6]);
      expect(invalid).toHaveLength(2);
      expect(torn).toBeUndefined();
    } finally {
      await kernel?.stop();
      kernel = undefined;
    }
  });

  it("reads any window of a long chat from the index, and re-reads a file replaced or edited behind its back", async () => {
    const chat = await start();
    for (let i = 1; i <= 60; i++) await chat.post("long", { from: "a", content: `message ${i} ${"é".repeat(i % 5)}`, key: `k${i}` });
    const window = await chat.read("long", { after: 20, limit: 5 });
    expect(window.messages.map((m) => [m.seq, m.content])).toEqual([21, 22, 23, 24, 25].map((n) => [n, `message ${n} ${"é".repeat(n % 5)}`]));
    expect(window.more).toBe(true);
    const tail = await chat.read("long", { after: 58 });
    expect(tail.messages.map((m) => m.seq)).toEqual([59, 60]);
    expect(tail.more).toBe(false);
    expect((await chat.read("long", null as never)).messages).toHaveLength(60);
    expect((await chat.unread("long", "bot", null as never)).messages).toHaveLength(60);
    expect((await chat.post("long", { from: "a", content: "again", key: "k10" })).content).toBe("message 10 ");
    expect((await chat.unread("long", "bot", { limit: 2 })).messages.map((m) => m.seq)).toEqual([1, 2]);

    // Replaced by a restore: same size, new inode.
    const file = join(kernel!.root, "chat", "chats", "long.jsonl");
    const replaced = readFileSync(file, "utf8").replace('"message 21 é"', '"restored 21 o"');
    expect(Buffer.byteLength(replaced)).toBe(readFileSync(file).length);
    writeFileSync(`${file}.new`, replaced);
    renameSync(`${file}.new`, file);
    expect((await chat.read("long", { after: 20, limit: 1 })).messages[0]!.content).toBe("restored 21 o");

    // Rewritten in place (same inode, same size) with other line boundaries: detected on read and re-read.
    const current = readFileSync(file, "utf8").trimEnd().split("\n");
    const shifted = current.map((line, i) => (i === 0 ? line.replace('"message 1 é"', '"message 1 éé"') : i === 1 ? line.replace('"message 2 éé"', '"message 2 é"') : line));
    expect(Buffer.byteLength(`${shifted.join("\n")}\n`)).toBe(readFileSync(file).length);
    writeFileSync(file, `${shifted.join("\n")}\n`);
    expect((await chat.read("long", { limit: 2 })).messages.map((m) => m.content)).toEqual(["message 1 éé", "message 2 é"]);
    expect((await chat.post("long", { from: "a", content: "x", key: "k2" })).content).toBe("message 2 é");
    expect((await chat.read("long", { limit: null as never, after: null as never })).messages).toHaveLength(60);
    expect((await chat.post("long", { from: "a", content: "keyless", key: null as never })).key).toBeUndefined();

    // Edited by hand into an order that is not increasing: still every message after the cursor.
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(file, `${[lines[2], lines[0], lines[1]].join("\n")}\n`);
    expect((await chat.read("long", { after: 1 })).messages.map((m) => m.seq)).toEqual([3, 2]);
    expect((await chat.post("long", { from: "a", content: "next" })).seq).toBe(4);
  });

  it("lists its chats, most recently written first, skipping files that are not chat streams", async () => {
    const root = tempRoot();
    const chat = await start({ root });
    expect(await chat.list()).toEqual([]); // no chat/ yet
    await chat.post("older", { from: "alice", content: "one" });
    await chat.post("older", { from: "alice", content: "two" });
    await chat.post("newer", { from: "bob", content: "three" });
    const dir = join(root, "chat", "chats");
    // Same mtime resolution on every file system: make the order explicit.
    const { utimesSync } = await import("node:fs");
    utimesSync(join(dir, "older.jsonl"), new Date(1_000_000), new Date(1_000_000));
    utimesSync(join(dir, "newer.jsonl"), new Date(2_000_000), new Date(2_000_000));
    writeFileSync(join(dir, "notes.txt"), "not a chat");
    writeFileSync(join(dir, ".older.jsonl.123.tmp"), "a temp file");
    mkdirSync(join(dir, "folder.jsonl"));
    expect(await chat.list()).toEqual([
      { chatId: "newer", lastSeq: 1, count: 1, updatedAt: 2_000_000 },
      { chatId: "older", lastSeq: 2, count: 2, updatedAt: 1_000_000 },
    ]);
  });

  it("never moves a cursor back, and refuses one beyond the last message", async () => {
    const chat = await start();
    for (let i = 0; i < 5; i++) await chat.post("c", { from: "a", content: i });
    expect(await chat.advance("c", "bot", 4)).toBe(4);
    expect(await chat.advance("c", "bot", 2)).toBe(4);
    expect(await chat.advance("c", "bot", 0)).toBe(4);
    expect(await chat.cursor("c", "bot")).toBe(4);
    expect(await chat.advance("c", "bot", 5)).toBe(5);
    await expect(chat.advance("c", "bot", 6)).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/last message is 5/) });
    await expect(chat.advance("c", "bot", -1)).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(chat.advance("c", "bot", 1.5)).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(chat.advance("nochat", "bot", 1)).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    expect(await chat.cursor("c", "bot")).toBe(5);
  });

  it("refuses bad ids, oversized content and bad read options", async () => {
    const chat = await start({ config: { chat: { max_message_bytes: 100 } } });
    for (const bad of ["a/b", "..", "../x", "", "a\\b", "x\0y"]) {
      await expect(chat.post(bad, { from: "a", content: "x" })).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
      await expect(chat.post("ok", { from: bad, content: "x" })).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
      await expect(chat.read(bad)).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
      await expect(chat.unread("ok", bad)).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
      await expect(chat.advance("ok", bad, 0)).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
    }
    await expect(chat.post("ok", { from: "a", content: "x".repeat(200) })).rejects.toMatchObject({
      code: "ALEPH_E_LIMIT",
      message: expect.stringMatching(/over the limit of 100 bytes/),
      fix: expect.stringMatching(/max_message_bytes/),
    });
    await expect(chat.post("ok", { from: "a", content: undefined })).rejects.toMatchObject({ code: "ALEPH_E_JSON" });
    await expect(chat.post("ok", { from: "a", content: { n: Number.NaN } })).rejects.toMatchObject({
      code: "ALEPH_E_JSON",
      message: expect.stringMatching(/content\.n is NaN/),
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(chat.post("ok", { from: "a", content: cyclic })).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/cycle/) });
    await expect(chat.post("ok", { from: "a", content: "x", key: "" })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(chat.read("ok", { limit: 0 })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(chat.read("ok", { limit: 1001 })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(chat.read("ok", { after: -1 })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    expect((await chat.read("ok")).messages).toEqual([]); // nothing written by the refused posts
    expect((await chat.post("ok", { from: "a", content: "x".repeat(90) })).seq).toBe(1);
    // The limit follows config changes without a reload.
    await kernel!.writeConfig({ chat: { max_message_bytes: 1000 } });
    expect((await chat.post("ok", { from: "a", content: "x".repeat(200) })).seq).toBe(2);
  });

  it("refuses an invalid [chat] config section", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir], config: { chat: { max_message_bytes: "big" } } });
    expect(kernel.plugin("chat")?.error?.code).toBe("ALEPH_E_CONFIG");
  });

  it("creates its directories 0700 and its files 0600, even under a umask of 0", async () => {
    const root = tempRoot();
    const saved = process.umask(0);
    try {
      const chat = await start({ root });
      await chat.post("private", { from: "alice", content: "only alice may read this" });
      await chat.advance("private", "bob", 1);
    } finally {
      process.umask(saved);
    }
    const mode = (...parts: string[]) => (statSync(join(root, "chat", ...parts)).mode & 0o777).toString(8);
    expect({ chat: mode(), chats: mode("chats"), cursors: mode("cursors"), chatCursors: mode("cursors", "private") }).toEqual({ chat: "700", chats: "700", cursors: "700", chatCursors: "700" });
    expect({ log: mode("chats", "private.jsonl"), cursor: mode("cursors", "private", "bob.json") }).toEqual({ log: "600", cursor: "600" });
  });

  it("passes the conformance kit", async () => {
    const result = await runPluginConformance(pluginDir);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe("chat under SIGKILL", () => {
  it("keeps every acknowledged post, with no duplicate and at most one torn line, across 5 kills", async () => {
    const root = tempRoot("aleph-chat-kill-");
    mkdirSync(root, { recursive: true });
    const fixture = fileURLToPath(new URL("./fixtures/poster.mjs", import.meta.url));
    const acked = new Map<string, number>();
    try {
      for (let round = 0; round < 5; round++) {
        const lines = await runAndKill(fixture, [root, pluginDir, `r${round}`], { cwd: pluginDir, killAfterMs: 50 + Math.random() * 250 });
        for (const line of lines) {
          const m = /^ack (\d+) (\S+)$/.exec(line);
          if (m) acked.set(m[2]!, Number(m[1]));
        }
        // Check the stream as it stands after the kill.
        const { records, invalid, torn } = readJsonLines<ChatMessage>(join(root, "chat", "chats", "kill.jsonl"));
        const seqs = records.map((r) => r.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const keys = records.map((r) => r.key);
        expect(new Set(keys).size).toBe(keys.length);
        const byKey = new Map(records.map((r) => [r.key!, r.seq]));
        for (const [key, seq] of acked) expect(byKey.get(key), key).toBe(seq);
        // At most one torn line per kill: the one at the tail now, plus earlier ones carried along.
        expect(invalid.length + (torn ? 1 : 0)).toBeLessThanOrEqual(round + 1);
        expect(torn === undefined || torn.line === records.length + invalid.length + 1).toBe(true);
      }
      expect(acked.size).toBeGreaterThan(0);
      // A kernel on the same root afterwards sees it all and continues without reusing a seq.
      const chat = await start({ root });
      const status = await chat.status("kill");
      const { records } = readJsonLines<ChatMessage>(join(root, "chat", "chats", "kill.jsonl"));
      const maxSeq = Math.max(...records.map((r) => r.seq), ...status.torn.map((t) => t.seq ?? 0));
      expect((await chat.post("kill", { from: "after", content: "done" })).seq).toBe(maxSeq + 1);
    } finally {
      await kernel?.stop();
      kernel = undefined;
    }
  }, 60_000);
});
