/*
 * `aleph sessions list|show|append|export|import|rm` end to end: the bundled `sessions` plugin
 * through a kernel the CLI starts for the command and through a running kernel's control socket,
 * the export → import round trip, concurrent writers, and bad input refused with a clear reason.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel, type CliResult, type Workspace } from "./support/aleph.js";

const MAIN = "agent:main:main";
const DM = "agent:main:telegram:dm:alice";

/** Runs a command that must succeed and returns its stdout. */
async function ok(ws: Workspace, args: string[], input?: string): Promise<string> {
  const result = await runCli(ws, args, input === undefined ? {} : { input });
  expect(result.code, `aleph ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

async function append(ws: Workspace, key: string, role: string, content: string, extra: string[] = []): Promise<number> {
  return Number((await ok(ws, ["sessions", "append", key, "--role", role, "--content", content, ...extra])).trim());
}

/** Exit code and the one-line reason of a failed command. */
function failure(result: CliResult): { code: number | null; stderr: string } {
  return { code: result.code, stderr: result.stderr };
}

describe("aleph sessions without a running kernel", () => {
  test("append prints each seq; a repeated --id is stored once; show prints the header and `#seq role: content`", async () => {
    const ws = createWorkspace();
    expect(await append(ws, MAIN, "user", "hello")).toBe(1);
    expect(await append(ws, MAIN, "assistant", '{"parts":[{"type":"text","text":"hi"}]}', ["--json-content"])).toBe(2);
    expect(await append(ws, MAIN, "user", "once", ["--id", "tg-42"])).toBe(3);
    expect(await append(ws, MAIN, "user", "once again", ["--id", "tg-42"])).toBe(3);
    const json = JSON.parse(await ok(ws, ["sessions", "append", MAIN, "--role", "tool", "--content", "42", "--json-content", "--json"]));
    expect(json.message).toMatchObject({ seq: 4, role: "tool", content: 42 });
    expect(json.session).toMatchObject({ key: MAIN, kind: "main", agentId: "main", messageCount: 4, lastSeq: 4, archivedAt: null });

    const shown = await ok(ws, ["sessions", "show", MAIN]);
    expect(shown).toMatch(/^agent:main:main · kind main · agent main · channel main\n4 messages · \d+ tokens · last seq 4 · created \S+ · updated \S+\n/);
    expect(shown).toContain('#1 user: hello\n#2 assistant: {"parts":[{"type":"text","text":"hi"}]}\n#3 user: once\n#4 tool: 42\n');
    expect(shown).not.toContain("once again");

    const page = await ok(ws, ["sessions", "show", MAIN, "--limit", "2"]);
    expect(page).toContain(`older messages: aleph sessions show ${MAIN} --before 3`);
    expect(page).toContain("#3 user: once\n#4 tool: 42\n");
    expect(page).not.toContain("#2 ");
    const before = await runCliJson(ws, ["sessions", "show", MAIN, "--before", "3", "--json"]);
    expect(before.session).toMatchObject({ key: MAIN, messageCount: 4 });
    expect(before.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
    expect(before.messages[1].content).toEqual({ parts: [{ type: "text", text: "hi" }] });
  });

  test("list: a table, --json SessionInfo, and the --agent, --channel, --prefix and --limit filters", async () => {
    const ws = createWorkspace();
    expect(await ok(ws, ["sessions", "list"])).toBe("No sessions.\n");
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
    await append(ws, MAIN, "user", "a");
    await append(ws, MAIN, "user", "b");
    await append(ws, DM, "user", "c");
    await append(ws, "agent:writer:main", "user", "d");

    const table = await ok(ws, ["sessions", "list"]);
    expect(table.split("\n")[0]).toMatch(/^KEY\s+MESSAGES\s+TOKENS\s+UPDATED$/);
    expect(table).toMatch(/agent:main:main\s+2\s+\d+\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(table).toMatch(/agent:main:telegram:dm:alice\s+1\s+/);

    const all = await runCliJson(ws, ["sessions", "list", "--json"]);
    expect(all.map((s: { key: string }) => s.key).sort()).toEqual([MAIN, DM, "agent:writer:main"].sort());
    expect(all.find((s: { key: string }) => s.key === DM)).toMatchObject({ kind: "dm", agentId: "main", channel: "telegram", messageCount: 1, lastSeq: 1, archivedAt: null });

    const keys = async (...filter: string[]) => (await runCliJson(ws, ["sessions", "list", "--json", ...filter])).map((s: { key: string }) => s.key).sort();
    expect(await keys("--agent", "main")).toEqual([MAIN, DM].sort());
    expect(await keys("--channel", "telegram")).toEqual([DM]);
    expect(await keys("--prefix", "agent:main:")).toEqual([MAIN, DM].sort());
    expect(await keys("--agent", "writer", "--channel", "main")).toEqual(["agent:writer:main"]);
    expect(await keys("--limit", "1")).toHaveLength(1);
  });

  test("rm archives (kept, listed with --archived, the key starts afresh); --purge deletes for good and says what", async () => {
    const ws = createWorkspace();
    await append(ws, MAIN, "user", "first life");
    const rm = await ok(ws, ["sessions", "rm", MAIN]);
    expect(rm).toMatch(/^Archived session agent:main:main \(1 message, archived at \d+\): it is kept and listed by `aleph sessions list --archived`/);
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
    const archived = await runCliJson(ws, ["sessions", "list", "--archived", "--json"]);
    expect(archived).toEqual([expect.objectContaining({ key: MAIN, messageCount: 1, archivedAt: expect.any(Number) })]);
    expect(await ok(ws, ["sessions", "list", "--archived"])).toMatch(new RegExp(`agent:main:main\\s+1\\s+\\d+\\s+\\S+\\s+${archived[0].archivedAt}`));
    expect(await append(ws, MAIN, "user", "second life")).toBe(1);

    const none = await runCli(ws, ["sessions", "rm", "agent:nobody:main"]);
    expect(failure(none)).toEqual({ code: 1, stderr: expect.stringMatching(/^aleph sessions rm: ALEPH_E_NOT_FOUND: no session "agent:nobody:main"/) });

    const purge = await ok(ws, ["sessions", "rm", MAIN, "--purge"]);
    expect(purge).toBe("Deleted session agent:main:main permanently: the live session (1 message) and 1 archived session.\n");
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
    expect(await runCliJson(ws, ["sessions", "list", "--archived", "--json"])).toEqual([]);
    const again = await runCli(ws, ["sessions", "rm", MAIN, "--purge"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no session "agent:main:main", live or archived: nothing was deleted/);
  });
});

describe("aleph sessions: concurrent commands without a running kernel", () => {
  test("each waits for the root's lock in turn: 8 concurrent appends all succeed with seqs 1..8", async () => {
    const ws = createWorkspace();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content", `script ${i}`])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(results.map((r) => Number(r.stdout.trim())).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await runCliJson(ws, ["sessions", "show", MAIN, "--json"])).messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("aleph sessions export and import", () => {
  test("round trip: messages come back identical; import refuses a live key; --replace archives the previous one", async () => {
    const ws = createWorkspace();
    await append(ws, DM, "user", "line one\nline two");
    await append(ws, DM, "assistant", '{"text":"ünïcødé ✓","n":[1,2.5,null,true]}', ["--json-content"]);
    await append(ws, DM, "user", "with id", ["--id", "m-3"]);
    const original = await runCliJson(ws, ["sessions", "show", DM, "--json"]);

    const exported = await ok(ws, ["sessions", "export", DM]);
    const lines = exported.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: "session", version: 1, key: DM, lastSeq: 3 });
    const file = join(ws.base, "dm.jsonl");
    expect(await ok(ws, ["sessions", "export", DM, "--out", file])).toBe(`Exported session ${DM}: 3 messages to ${file}\n`);
    expect(readFileSync(file, "utf8")).toBe(exported);

    // Into a fresh state root: the same messages, seqs, times and tokens.
    const other = createWorkspace();
    expect(await ok(other, ["sessions", "import", file])).toBe(`Imported session ${DM} from ${file}: 3 messages, last seq 3\n`);
    const imported = await runCliJson(other, ["sessions", "show", DM, "--json"]);
    expect(imported.messages).toEqual(original.messages);
    expect(imported.session).toMatchObject({ key: DM, messageCount: 3, tokenCount: original.session.tokenCount, lastSeq: 3, createdAt: original.session.createdAt });
    expect(await ok(other, ["sessions", "export", DM])).toBe(exported);
    // The idempotency id came across: appending it again stores nothing.
    expect(await append(other, DM, "user", "with id", ["--id", "m-3"])).toBe(3);

    // Back into the first root: the live session is not overwritten...
    const refused = await runCli(ws, ["sessions", "import", file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ALEPH_E_DUPLICATE: session "agent:main:telegram:dm:alice" already exists Fix: import with --replace/);
    // ...unless --replace, which archives it first (from stdin this time).
    await append(ws, DM, "user", "after the export");
    const replaced = await ok(ws, ["sessions", "import", "-", "--replace"], exported);
    expect(replaced).toBe(
      `Imported session ${DM} from stdin: 3 messages, last seq 3\nThe live session it replaced (4 messages) was archived: see \`aleph sessions list --archived --prefix ${DM}\`\n`,
    );
    expect((await runCliJson(ws, ["sessions", "show", DM, "--json"])).messages).toEqual(original.messages);
    const archived = await runCliJson(ws, ["sessions", "list", "--archived", "--json"]);
    expect(archived).toEqual([expect.objectContaining({ key: DM, messageCount: 4, lastSeq: 4 })]);
    const archivedExport = await ok(ws, ["sessions", "export", DM, "--archived-at", String(archived[0].archivedAt)]);
    expect(archivedExport.trimEnd().split("\n")).toHaveLength(5);
    expect(archivedExport).toContain("after the export");
  });

  test("a broken line is reported with its file and line number, and nothing is imported", async () => {
    const ws = createWorkspace();
    await append(ws, MAIN, "user", "one");
    await append(ws, MAIN, "user", "two");
    const lines = (await ok(ws, ["sessions", "export", MAIN])).trimEnd().split("\n");
    await ok(ws, ["sessions", "rm", MAIN, "--purge"]);

    const notJson = join(ws.base, "not-json.jsonl");
    writeFileSync(notJson, [lines[0], lines[1], '{"type":"message", "message": {"seq": 2,', ""].join("\n"));
    const broken = await runCli(ws, ["sessions", "import", notJson]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`ALEPH_E_JSON: session import, line 3: not valid JSON`);
    expect(broken.stderr).toContain(`(${notJson}:3)`);
    expect(broken.stderr.trim().split("\n")).toHaveLength(1);

    const badRole = join(ws.base, "bad-role.jsonl");
    writeFileSync(badRole, [lines[0], lines[1]!.replace('"role":"user"', '"role":"wizard"'), lines[2], ""].join("\n"));
    const role = await runCli(ws, ["sessions", "import", badRole]);
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/session import, line 2 has role "wizard"/);

    const fromStdin = await runCli(ws, ["sessions", "import", "-"], { input: [lines[0], "not json at all", ""].join("\n") });
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toMatch(/session import, line 2: not valid JSON/);

    const missing = await runCli(ws, ["sessions", "import", join(ws.base, "nope.jsonl")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ALEPH_E_NOT_FOUND: cannot read .*nope\.jsonl \(the export to import\): ENOENT/);

    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
  });
});

describe("aleph sessions through a running kernel", () => {
  test("append, list, show, export, import and rm go through the kernel's control socket", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    expect(await append(ws, MAIN, "user", "via the kernel")).toBe(1);
    // The kernel itself wrote it: its plugin emitted the event.
    await kernel.waitForEvent("session.message.appended", (p) => p.key === MAIN && p.message.seq === 1 && p.message.content === "via the kernel");
    expect(await append(ws, MAIN, "assistant", '["a",{"b":1}]', ["--json-content"])).toBe(2);
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([expect.objectContaining({ key: MAIN, messageCount: 2, lastSeq: 2 })]);
    expect(await ok(ws, ["sessions", "list"])).toMatch(/agent:main:main\s+2\s+/);
    expect(await ok(ws, ["sessions", "show", MAIN])).toContain('#1 user: via the kernel\n#2 assistant: ["a",{"b":1}]\n');

    const exported = await ok(ws, ["sessions", "export", MAIN]);
    expect(await ok(ws, ["sessions", "import", "-", "--replace"], exported)).toMatch(/The live session it replaced \(2 messages\) was archived/);
    await kernel.waitForEvent("session.archived", (p) => p.key === MAIN);
    expect(await ok(ws, ["sessions", "rm", MAIN])).toMatch(/^Archived session agent:main:main/);
    expect(await runCliJson(ws, ["sessions", "list", "--archived", "--json"])).toHaveLength(2);
    expect(await ok(ws, ["sessions", "rm", MAIN, "--purge"])).toBe("Deleted session agent:main:main permanently: 2 archived sessions.\n");
    await kernel.waitForEvent("session.deleted", (p) => p.key === MAIN && p.count === 2);

    // Errors keep their code and fix through the socket.
    const badKey = await runCli(ws, ["sessions", "show", "agent:main:nope"]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/ALEPH_E_SESSION_KEY: session key "agent:main:nope"/);
    const missing = await runCli(ws, ["sessions", "show", MAIN]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ALEPH_E_NOT_FOUND: no session "agent:main:main" Fix: check the key with `aleph sessions list`/);
    await kernel.stop();
    expect(kernel.exitInfo?.code).toBe(0);
  });

  test("8 concurrent appends against one running kernel get seqs 1..8, none lost or repeated", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content", `writer ${i}`])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(results.map((r) => Number(r.stdout.trim())).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const shown = await runCliJson(ws, ["sessions", "show", MAIN, "--json"]);
    expect(shown.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shown.messages.map((m: { content: string }) => m.content).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `writer ${i}`));
    expect(shown.session).toMatchObject({ messageCount: 8, lastSeq: 8 });
    await kernel.stop();
  });
});

describe("aleph sessions: bad input", () => {
  test("malformed keys are refused by every command (exit 1, ALEPH_E_SESSION_KEY, saying what is wrong)", async () => {
    const ws = createWorkspace();
    const cases: Array<[string, RegExp]> = [
      ["agent::main", /session key "agent::main" has an empty part 2 at column 7/],
      ["foo", /session key "foo" starts with unknown prefix "foo"/],
    ];
    for (const [key, reason] of cases) {
      for (const args of [["append", key, "--role", "user", "--content", "x"], ["show", key], ["export", key], ["rm", key], ["rm", key, "--purge"]]) {
        const result = await runCli(ws, ["sessions", ...args]);
        expect(result.code, `sessions ${args.join(" ")}`).toBe(1);
        expect(result.stderr).toMatch(/ALEPH_E_SESSION_KEY: /);
        expect(result.stderr).toMatch(reason);
        expect(result.stderr).toMatch(/Fix: /);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
      }
    }
    expect(existsSync(join(ws.root, "sessions.db"))).toBe(false);
  });

  test("usage errors exit 2: non-JSON --content with --json-content, a bad role, missing flags, bad numbers", async () => {
    const ws = createWorkspace();
    const notJson = await runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--json-content", "--content", "hello there"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^aleph sessions append: --content is not valid JSON: .*\(--json-content reads it as JSON\); quote plain text as a JSON string/);
    expect(notJson.stderr).toMatch(/Run `aleph sessions append --help` for usage/);

    const cases: Array<[string[], RegExp]> = [
      [["append", MAIN, "--role", "wizard", "--content", "x"], /--role takes system, user, assistant, tool, not "wizard"/],
      [["append", MAIN, "--content", "x"], /--role is required/],
      [["append", MAIN, "--role", "user"], /--content <text> \(or --content-file <file\|->\) is required/],
      [["append", "--role", "user", "--content", "x"], /expected a session key/],
      [["show", MAIN, "--limit", "0"], /--limit takes a whole number from 1 to 10000, not "0"/],
      [["show", MAIN, "--before", "-3"], /--before/],
      [["list", "--limit", "many"], /--limit takes a whole number/],
      [["export", MAIN, "--archived-at", "yesterday"], /--archived-at takes a whole number/],
      [["import"], /expected a file \(or - for stdin\)/],
      [["list", "extra"], /takes no arguments/],
      [["show", MAIN, "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, reason] of cases) {
      const result = await runCli(ws, ["sessions", ...args]);
      expect(result.code, `sessions ${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
    expect(await runCliJson(ws, ["sessions", "list", "--json"])).toEqual([]);
  });

  test("content over [sessions] max_message_bytes is refused (exit 1, ALEPH_E_LIMIT), with and without a running kernel", async () => {
    const ws = createWorkspace({ config: "[sessions]\nmax_message_bytes = 256\n" });
    const big = "x".repeat(300);
    const offline = await runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content", big]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/ALEPH_E_LIMIT: message is \d+ bytes, over the limit of 256 bytes Fix: .*raise \[sessions\] max_message_bytes in config.toml/);
    expect(await append(ws, MAIN, "user", "small")).toBe(1);

    const kernel = await startReadyKernel(ws);
    const online = await runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content", big]);
    expect(online.code).toBe(1);
    expect(online.stderr).toMatch(/ALEPH_E_LIMIT: message is \d+ bytes, over the limit of 256 bytes Fix: .*raise \[sessions\] max_message_bytes/);
    expect(await append(ws, MAIN, "user", "small again")).toBe(2);
    await kernel.stop();
    expect((await runCliJson(ws, ["sessions", "show", MAIN, "--json"])).messages.map((m: { content: string }) => m.content)).toEqual(["small", "small again"]);
  });
});

describe("aleph sessions append --content-file", () => {
  test("takes content too long for an argument from a file or stdin, as text or JSON; refuses both flags at once", async () => {
    const ws = createWorkspace();
    const big = "é".repeat(150_000); // 300 KB: over Linux's 128 KiB limit for one argument
    const file = join(ws.root, "..", "big.txt");
    writeFileSync(file, big);
    expect(await append(ws, MAIN, "user", "", [])).toBe(1); // empty content is content
    expect(Number((await ok(ws, ["sessions", "append", MAIN, "--role", "user", "--content-file", file])).trim())).toBe(2);
    expect(Number((await ok(ws, ["sessions", "append", MAIN, "--role", "tool", "--content-file", "-", "--json-content"], '{"rows":[1,2]}')).trim())).toBe(3);
    const shown = await runCliJson(ws, ["sessions", "show", MAIN, "--json"]);
    expect(shown.messages.map((m: { content: unknown }) => m.content)).toEqual(["", big, { rows: [1, 2] }]);
    const both = await runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content", "x", "--content-file", file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give --content or --content-file, not both");
    const missing = await runCli(ws, ["sessions", "append", MAIN, "--role", "user", "--content-file", join(ws.root, "nope.txt")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ALEPH_E_NOT_FOUND: cannot read .*nope\.txt \(--content-file\)/);
  });
});

describe("aleph sessions with a broken [sessions] section", () => {
  test("says the service is down because its plugin failed, with the config key, file and line", async () => {
    const ws = createWorkspace({ config: '[sessions]\nsynchronous = "bogus"\n' });
    const result = await runCli(ws, ["sessions", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ALEPH_E_DEPENDENCY: the "sessions" service is down: plugin "sessions" failed with ALEPH_E_CONFIG: .*synchronous.*"full"\|"normal".*config\.toml:2\) Fix: /);
  });
});

describe("aleph sessions --help", () => {
  test("every subcommand's help exits 0 and names its flags", async () => {
    const ws = createWorkspace();
    const flags: Record<string, string[]> = {
      list: ["--agent <id>", "--channel <name>", "--prefix <keyPrefix>", "--archived", "--limit <N>", "--json"],
      show: ["<key>", "--limit <N>", "--before <SEQ>", "--json"],
      append: ["<key>", "--role <system|user|assistant|tool>", "--content <text>", "--json-content", "--id <idempotencyId>", "--json"],
      export: ["<key>", "--archived-at <MS>", "--out <file>"],
      import: ["<file>", "--replace"],
      rm: ["<key>", "--purge"],
    };
    for (const [command, expected] of Object.entries(flags)) {
      const help = await runCli(ws, ["sessions", command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: aleph sessions ${command}`);
      for (const flag of expected) expect(help.stdout, `sessions ${command} --help`).toContain(flag);
    }
    const group = await runCli(ws, ["sessions", "--help"]);
    expect(group.code).toBe(0);
    for (const command of Object.keys(flags)) expect(group.stdout).toContain(`sessions ${command}`);
    expect(existsSync(join(ws.root, "sessions.db"))).toBe(false);
  });
});
