/*
 * `aleph chat log|post` end to end: the bundled `chat` plugin (chat/chats/<chatId>.jsonl) through
 * a kernel the CLI starts for the command and through a running kernel's control socket, torn
 * lines reported on stderr, concurrent posters, and bad input refused with a clear reason.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";

const chatFile = (ws: Workspace, chatId: string) => join(ws.root, "chat", "chats", `${chatId}.jsonl`);

async function ok(ws: Workspace, args: string[]): Promise<string> {
  const result = await runCli(ws, args);
  expect(result.code, `aleph ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

async function post(ws: Workspace, chatId: string, from: string, content: string, extra: string[] = []): Promise<number> {
  return Number((await ok(ws, ["chat", "post", chatId, "--from", from, "--content", content, ...extra])).trim());
}

describe("aleph chat without a running kernel", () => {
  test("post prints each seq; a repeated --key posts once; log prints `#seq from: content`", async () => {
    const ws = createWorkspace();
    expect(await ok(ws, ["chat", "log", "team"])).toBe("No messages in chat team.\n");
    expect(await post(ws, "team", "alice", "hello")).toBe(1);
    expect(await post(ws, "team", "bot", '{"type":"status","ok":true}', ["--json-content"])).toBe(2);
    expect(await post(ws, "team", "bob", "once", ["--key", "upd-7"])).toBe(3);
    expect(await post(ws, "team", "bob", "twice?", ["--key", "upd-7"])).toBe(3);
    const json = JSON.parse(await ok(ws, ["chat", "post", "team", "--from", "alice", "--content", "two\nlines", "--json"]));
    expect(json).toMatchObject({ seq: 4, chatId: "team", from: "alice", content: "two\nlines", ts: expect.any(String) });

    expect(await ok(ws, ["chat", "log", "team"])).toBe('#1 alice: hello\n#2 bot: {"type":"status","ok":true}\n#3 bob: once\n#4 alice: two\n    lines\n');
    const page = await runCli(ws, ["chat", "log", "team", "--after", "1", "--limit", "2"]);
    expect(page.stdout).toBe('#2 bot: {"type":"status","ok":true}\n#3 bob: once\n');
    expect(page.stderr).toContain("more messages follow (up to #4): aleph chat log team --after 3");
    expect(await ok(ws, ["chat", "log", "team", "--after", "4"])).toBe("No messages after #4 in chat team.\n");

    const log = await runCliJson(ws, ["chat", "log", "team", "--json"]);
    expect(log).toMatchObject({ lastSeq: 4, torn: [] });
    expect(log.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(log.messages[1]).toMatchObject({ chatId: "team", from: "bot", content: { type: "status", ok: true } });
    expect(log.messages[2]).toMatchObject({ key: "upd-7", content: "once" });
    // The stream on disk: one line per message.
    expect(readFileSync(chatFile(ws, "team"), "utf8").trimEnd().split("\n")).toHaveLength(4);
  });

  test("a torn line is reported on stderr (line and seq), skipped, and its seq never reused", async () => {
    const ws = createWorkspace();
    expect(await post(ws, "ops", "alice", "before the crash")).toBe(1);
    appendFileSync(chatFile(ws, "ops"), '{"seq":2,"chatId":"ops","from":"ali');
    const log = await runCli(ws, ["chat", "log", "ops"]);
    expect(log.code).toBe(0);
    expect(log.stdout).toBe("#1 alice: before the crash\n");
    expect(log.stderr).toContain("warning: chat ops has 1 damaged line (torn writes), skipped:\n  line 2 (seq 2, never reused): {\"seq\":2,\"chatId\":\"ops\",\"from\":\"ali\n");
    expect(log.stderr).not.toContain("more messages follow");

    expect(await post(ws, "ops", "alice", "after the crash")).toBe(3);
    const json = await runCli(ws, ["chat", "log", "ops", "--json"]);
    expect(json.code).toBe(0);
    expect(json.stderr).toMatch(/warning: chat ops has 1 damaged line/);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.messages.map((m: { seq: number; content: string }) => [m.seq, m.content])).toEqual([
      [1, "before the crash"],
      [3, "after the crash"],
    ]);
    expect(parsed.torn).toEqual([{ line: 2, seq: 2, text: '{"seq":2,"chatId":"ops","from":"ali' }]);
  });
});

describe("aleph chat through a running kernel", () => {
  test("post and log go through the kernel's control socket", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    expect(await post(ws, "team", "alice", "via the kernel")).toBe(1);
    await kernel.waitForEvent("chat.message.posted", (p) => p.chatId === "team" && p.message.seq === 1 && p.message.content === "via the kernel");
    expect(await post(ws, "team", "bot", "[1,2,3]", ["--json-content", "--key", "k1"])).toBe(2);
    expect(await post(ws, "team", "bot", "[1,2,3]", ["--json-content", "--key", "k1"])).toBe(2);
    expect(await ok(ws, ["chat", "log", "team"])).toBe("#1 alice: via the kernel\n#2 bot: [1,2,3]\n");
    expect((await runCliJson(ws, ["chat", "log", "team", "--json", "--after", "1"])).messages).toEqual([expect.objectContaining({ seq: 2, content: [1, 2, 3], key: "k1" })]);
    expect(kernel.eventsSince(0, "chat.message.posted")).toHaveLength(2);

    const bad = await runCli(ws, ["chat", "post", "team", "--from", "alice", "--content", "x".repeat(70_000)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ALEPH_E_LIMIT: message content is \d+ bytes, over the limit of 65536 bytes Fix: .*raise \[chat\] max_message_bytes/);
    await kernel.stop();
    expect(kernel.exitInfo?.code).toBe(0);
  });

  test("8 concurrent posts against one running kernel get seqs 1..8, no duplicates", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(ws, ["chat", "post", "crowd", "--from", `poster-${i}`, "--content", `message ${i}`])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(results.map((r) => Number(r.stdout.trim())).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const log = await runCliJson(ws, ["chat", "log", "crowd", "--json"]);
    expect(log.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.messages.map((m: { from: string }) => m.from).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `poster-${i}`));
    expect(log).toMatchObject({ lastSeq: 8, torn: [] });
    const lines = readFileSync(chatFile(ws, "crowd"), "utf8").trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await kernel.stop();
  });
});

describe("aleph chat: bad input", () => {
  test("chat ids and sender ids with path characters are refused (exit 1, ALEPH_E_INVALID_ID) and never become paths", async () => {
    const ws = createWorkspace();
    for (const chatId of ["../x", "a/b", "..", "a\\b"]) {
      for (const args of [["post", chatId, "--from", "alice", "--content", "x"], ["log", chatId]]) {
        const result = await runCli(ws, ["chat", ...args]);
        expect(result.code, `chat ${args.join(" ")}`).toBe(1);
        expect(result.stderr).toMatch(/^aleph chat (post|log): ALEPH_E_INVALID_ID: chat id "[^"]+" contains (a path separator|"\.\.")/);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
      }
    }
    const from = await runCli(ws, ["chat", "post", "team", "--from", "../alice", "--content", "x"]);
    expect(from.code).toBe(1);
    expect(from.stderr).toMatch(/ALEPH_E_INVALID_ID: sender id \(from\) "..\/alice" contains a path separator/);
    expect(existsSync(join(ws.root, "chat", "x.jsonl"))).toBe(false);
    expect(existsSync(join(ws.root, "chat", "chats", "a"))).toBe(false);
    expect(existsSync(join(ws.root, "chat", "chats")) ? readdirSync(join(ws.root, "chat", "chats")) : []).toEqual([]);
  });

  test("usage errors exit 2: non-JSON --content with --json-content, missing flags, bad numbers", async () => {
    const ws = createWorkspace();
    const notJson = await runCli(ws, ["chat", "post", "team", "--from", "alice", "--json-content", "--content", "{not json"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^aleph chat post: --content is not valid JSON: .*\(--json-content reads it as JSON\); quote plain text as a JSON string/);
    const cases: Array<[string[], RegExp]> = [
      [["post", "team", "--content", "x"], /--from <id> is required/],
      [["post", "team", "--from", "alice"], /--content <text> \(or --content-file <file\|->\) is required/],
      [["post", "--from", "alice", "--content", "x"], /expected a chat id/],
      [["log"], /expected a chat id/],
      [["log", "team", "--limit", "5000"], /--limit takes a whole number from 1 to 1000, not "5000"/],
      [["log", "team", "--after", "last"], /--after takes a whole number ≥ 0, not "last"/],
    ];
    for (const [args, reason] of cases) {
      const result = await runCli(ws, ["chat", ...args]);
      expect(result.code, `chat ${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
    expect(existsSync(chatFile(ws, "team"))).toBe(false);
  });

  test("content over [chat] max_message_bytes is refused (exit 1, ALEPH_E_LIMIT), with and without a running kernel", async () => {
    const ws = createWorkspace({ config: "[chat]\nmax_message_bytes = 100\n" });
    const big = "y".repeat(120);
    const offline = await runCli(ws, ["chat", "post", "team", "--from", "alice", "--content", big]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/ALEPH_E_LIMIT: message content is 122 bytes, over the limit of 100 bytes Fix: .*raise \[chat\] max_message_bytes in config.toml/);
    expect(await post(ws, "team", "alice", "short")).toBe(1);

    const kernel = await startReadyKernel(ws);
    const online = await runCli(ws, ["chat", "post", "team", "--from", "alice", "--content", big]);
    expect(online.code).toBe(1);
    expect(online.stderr).toMatch(/ALEPH_E_LIMIT: message content is 122 bytes, over the limit of 100 bytes Fix: .*raise \[chat\] max_message_bytes/);
    expect(await post(ws, "team", "alice", "short again")).toBe(2);
    await kernel.stop();
    expect((await runCliJson(ws, ["chat", "log", "team", "--json"])).messages.map((m: { content: string }) => m.content)).toEqual(["short", "short again"]);
  });
});

describe("aleph chat --help", () => {
  test("every subcommand's help exits 0 and names its flags", async () => {
    const ws = createWorkspace();
    const flags: Record<string, string[]> = {
      log: ["<chatId>", "--after <SEQ>", "--limit <N>", "--json"],
      post: ["<chatId>", "--from <id>", "--content <text>", "--json-content", "--key <idempotencyKey>", "--json"],
    };
    for (const [command, expected] of Object.entries(flags)) {
      const help = await runCli(ws, ["chat", command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: aleph chat ${command}`);
      for (const flag of expected) expect(help.stdout, `chat ${command} --help`).toContain(flag);
    }
    const group = await runCli(ws, ["chat", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("chat log <chatId>");
    expect(group.stdout).toContain("chat post <chatId>");
  });
});
