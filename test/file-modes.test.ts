/*
 * Everything under the state root is private: another local user reads no conversation, log,
 * audit record or secret. The whole workflow runs under the usual umask 022 (which leaves files
 * 0644 and directories 0755 unless the creator asks for less) and the root is then walked with
 * lstat: no file readable, no directory enterable, by group or others.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createWorkspace, runCli, startKernel } from "./support/aleph.js";
import { looseEntries, walkTree } from "./support/modes.js";
import { writePlugin } from "./support/plugins.js";

let savedUmask: number;
beforeAll(() => {
  savedUmask = process.umask(0o022); // inherited by every CLI process the tests spawn
});
afterAll(() => {
  process.umask(savedUmask);
});

describe("file modes under the state root", () => {
  test("init, a running kernel, chat posts, session appends, logs, audit, keys and a plugin's data dir leave nothing open to others", { timeout: 90_000 }, async () => {
    const ws = createWorkspace();
    rmSync(ws.root, { recursive: true }); // aleph creates the root itself
    const ok = async (args: string[], input?: string) => {
      const result = await runCli(ws, args, input === undefined ? {} : { input });
      expect(result.code, `aleph ${args.join(" ")}\n${result.stderr}`).toBe(0);
    };
    await ok(["init"]);
    await ok(["keys", "set", "openai"], "sk-modes-test\n");
    // A user plugin that asks for its data directory (created by the kernel on first access).
    writePlugin(join(ws.root, "plugins", "data-user"), {
      id: "data-user",
      code: `export default { setup(ctx) { void ctx.paths.data; ctx.events.emit("fixture.ran", { id: ctx.id }); } };\n`,
    });
    const kernel = startKernel(ws);
    await kernel.ready();
    await kernel.waitForEvent("fixture.ran", (p) => p.id === "data-user");
    await ok(["chat", "post", "general", "--from", "alice", "--content", "only alice may read this"]);
    await ok(["chat", "post", "general", "--from", "bob", "--content", "and bob"]);
    await ok(["sessions", "append", "agent:main:main", "--role", "user", "--content", "a private conversation"]);
    await ok(["sessions", "append", "agent:main:main", "--role", "assistant", "--content", "kept private"]);
    // Memory: LanceDB (which takes no file modes) and SQLite, through the running kernel, and the
    // curated-file and notes bookkeeping.
    await ok(["memory", "add", "The user's bank is Nordbank"]);
    await ok(["memory", "graph", "add-edge", "user", "banks_with", "Nordbank"]);
    // The plugin was written by this test (0644 files): only what Aleph creates is under test.
    const written = (path: string) => path === "plugins/data-user" || path.startsWith("plugins/data-user/");
    const loose = () => looseEntries(ws.root).filter((entry) => !written(entry.split(" ")[0]!));
    // While the kernel runs: its lock, pid file and control socket in run/, the database's WAL.
    const running = new Set(walkTree(ws.root).map((e) => e.path));
    for (const expected of ["run/kernel.lock", "run/kernel.json", "run/control.sock"]) expect(running.has(expected), `${expected} exists while running`).toBe(true);
    expect(loose()).toEqual([]);
    expect((await kernel.stop()).code).toBe(0);

    const tree = walkTree(ws.root);
    const paths = new Set(tree.map((e) => e.path));
    // Nothing vacuous: each kind of thing the issue names was written.
    for (const expected of ["config.toml", "providers.toml", "sessions.db", "keys/openai", "logs/gateway.log", "chat/chats/general.jsonl", "data/data-user", "run", "agents/main/workspace/SOUL.md", "memory/facts.json", "memory/graph.db"]) {
      expect(paths.has(expected), `${expected} exists`).toBe(true);
    }
    expect(tree.some((e) => /^audit\/\d{4}-\d{2}-\d{2}\.jsonl$/.test(e.path))).toBe(true);
    expect(tree.some((e) => /^memory\/facts\.lance\/.+\.lance$/.test(e.path))).toBe(true);
    expect(loose()).toEqual([]);
  });
});
