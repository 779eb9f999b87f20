/*
 * aleph doctor: finds what is wrong with a workspace, says how to fix each, and --fix creates what
 * is missing and makes private what is open to others (never deletes or overwrites, never follows
 * a symbolic link).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";
import { looseEntries, walkTree } from "./support/modes.js";

describe("aleph doctor", () => {
  test("a fresh workspace passes every check", async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    const result = await runCli(ws, ["doctor"]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/checks passed/);
  });

  test("reports each problem with its fix, exits 1, and --fix repairs only what it may", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    rmdirSync(join(ws.root, "skills"));
    chmodSync(join(ws.root, "providers.toml"), 0o644);
    mkdirSync(join(ws.userDir, "broken"));
    writeFileSync(join(ws.userDir, "broken", "aleph_plugin.toml"), '[plugin]\nid = "broken"\nversion = "one"\n');
    writeFileSync(join(ws.root, "config.toml"), "[gateway]\nport = \"x\"\n");
    const configBefore = readFileSync(join(ws.root, "config.toml"), "utf8");

    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const problems = report.findings.filter((f: { ok: boolean }) => !f.ok);
    const byCheck = (check: string) => problems.filter((f: { check: string }) => f.check === check);
    expect(byCheck("tree")).toEqual([expect.objectContaining({ path: join(ws.root, "skills"), fix: expect.stringMatching(/--fix/) })]);
    // The broken plugin, written by this test under its umask, is flagged too.
    expect(byCheck("permissions")).toContainEqual(
      expect.objectContaining({ path: join(ws.root, "providers.toml"), message: "readable by others (mode 644): it holds credentials", fix: expect.stringMatching(/--fix/) }),
    );
    expect(byCheck("plugins")[0].message).toMatch(/broken: ALEPH_E_MANIFEST/);
    expect(byCheck("config")[0].message).toMatch(/config\.toml:2: gateway\.port/);

    const fixed = await runCli(ws, ["doctor", "--fix"]);
    expect(fixed.code).toBe(1); // what --fix may not touch is still reported
    expect(fixed.stdout).toMatch(/fixed {2}tree: created .*skills/);
    expect(existsSync(join(ws.root, "skills"))).toBe(true);
    expect(fixed.stdout).toMatch(/fixed {2}permissions: tightened .*providers\.toml \(mode 644 → 600\)/);
    expect(statSync(join(ws.root, "providers.toml")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(ws.root, "config.toml"), "utf8")).toBe(configBefore);
    expect(existsSync(join(ws.userDir, "broken", "aleph_plugin.toml"))).toBe(true);
  });

  test("runs each plugin's contributed checks in a child: findings join the report scrubbed of secrets, a hang or a crash is one finding", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    const secret = "doctor-secret-7f3a9c21";
    expect((await runCli(ws, ["keys", "set", "probe"], { input: `${secret}\n` })).code).toBe(0);
    ws.writeConfig(`[noisy]\ntoken = "keys:probe"\n`);
    const checksPlugin = (id: string, doctor: string) =>
      writePlugin(join(ws.userDir, id), { id, pluginExtra: "doctor = true", code: `export default {\n  setup() {},\n  async doctor(input) {\n${doctor}\n  },\n};\n` });
    // Prints to stdout (which must not garble the answer) and quotes its config's secret.
    checksPlugin("noisy", `    console.log("noise [1,2");\n    return [{ check: "noisy", ok: false, message: "token " + ${JSON.stringify(secret)} + " refused", fix: "rotate it" }, { ok: true, message: "all good" }];`);
    checksPlugin("sleepy", `    await new Promise(() => setInterval(() => {}, 1000));`);
    checksPlugin("crashy", `    throw new Error("checks exploded");`);
    checksPlugin("liar", `    return "not a list";`);
    const result = await runCli(ws, ["doctor", "--json"], { env: { ALEPH_DOCTOR_TIMEOUT_MS: "4000" }, timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).not.toContain(secret);
    const findings = (JSON.parse(result.stdout) as { findings: { check: string; ok: boolean; message: string; fix?: string }[] }).findings;
    const of = (check: string) => findings.filter((f) => f.check === check);
    expect(of("noisy")).toEqual([{ check: "noisy", ok: false, message: "token [redacted] refused", fix: "rotate it" }, { check: "noisy", ok: true, message: "all good" }]);
    expect(of("sleepy")).toEqual([expect.objectContaining({ ok: false, message: "its doctor checks ran past 4000 ms and were stopped" })]);
    expect(of("crashy")).toEqual([expect.objectContaining({ ok: false, message: expect.stringMatching(/^its doctor checks failed: .*checks exploded/) })]);
    expect(of("liar")).toEqual([expect.objectContaining({ ok: false, message: "its doctor checks answered something that is not a list of findings" })]);
  });

  test("without a workspace it says to run aleph init", async () => {
    const ws = createWorkspace();
    const result = await runCli(ws, ["doctor"], { env: { ALEPH_STATE_DIR: join(ws.base, "nowhere") } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the state root does not exist[\s\S]*aleph init/);
  });
});

describe("aleph doctor and permissions", () => {
  test("flags every entry open to others, and --fix tightens them all (keeping the owner's bits) without following a symlinked plugin folder", async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    // A plugin checkout elsewhere, linked into the user plugin path as authors do: not ours to change.
    const checkout = join(ws.staging, "linked-plugin");
    mkdirSync(join(checkout, "src"), { recursive: true, mode: 0o755 });
    writeFileSync(join(checkout, "src", "index.ts"), "export {};\n");
    chmodSync(join(checkout, "src", "index.ts"), 0o644);
    chmodSync(checkout, 0o755);
    symlinkSync(checkout, join(ws.userDir, "linked-plugin"));
    const checkoutBefore = walkTree(checkout);
    // What a workspace from before looked like, and what a user's chmod can do.
    mkdirSync(join(ws.root, "chat", "chats"), { recursive: true });
    writeFileSync(join(ws.root, "chat", "chats", "general.jsonl"), '{"seq":1}\n');
    writeFileSync(join(ws.root, "logs", "gateway.log"), "{}\n");
    writeFileSync(join(ws.root, "keys", "openai"), "sk-loose\n");
    mkdirSync(join(ws.userDir, "copied", "bin"), { recursive: true });
    writeFileSync(join(ws.userDir, "copied", "bin", "tool"), "#!/bin/sh\n");
    chmodSync(join(ws.root, "chat", "chats", "general.jsonl"), 0o644);
    chmodSync(join(ws.root, "chat", "chats"), 0o755);
    chmodSync(join(ws.root, "logs", "gateway.log"), 0o640);
    chmodSync(join(ws.root, "keys", "openai"), 0o644);
    chmodSync(join(ws.root, "keys"), 0o755);
    chmodSync(join(ws.userDir, "copied"), 0o755);
    chmodSync(join(ws.userDir, "copied", "bin"), 0o700);
    chmodSync(join(ws.userDir, "copied", "bin", "tool"), 0o755);
    chmodSync(ws.root, 0o711);

    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const flagged = report.findings.filter((f: { check: string; ok: boolean }) => f.check === "permissions" && !f.ok);
    const flaggedPaths = flagged.map((f: { path: string }) => f.path).sort();
    expect(flaggedPaths).toEqual(
      [ws.root, "chat/chats", "chat/chats/general.jsonl", "logs/gateway.log", "keys", "keys/openai", "plugins/copied", "plugins/copied/bin/tool"]
        .map((p) => (p === ws.root ? p : join(ws.root, p)))
        .sort(),
    );
    expect(flagged.find((f: { path: string }) => f.path === join(ws.root, "keys", "openai")).message).toBe("readable by others (mode 644): it holds credentials");
    expect(flagged.find((f: { path: string }) => f.path === join(ws.root, "chat", "chats")).message).toBe("directory open to others (mode 755)");
    expect(flaggedPaths.some((p: string) => p.includes("linked-plugin")), "a linked folder is not walked").toBe(false);

    const fixed = await runCli(ws, ["doctor", "--fix"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/fixed {2}permissions: tightened .*keys\/openai \(mode 644 → 600\)/);
    expect(looseEntries(ws.root)).toEqual([]);
    const mode = (p: string) => statSync(join(ws.root, p)).mode & 0o777;
    expect({ root: mode("."), chats: mode("chat/chats"), log: mode("logs/gateway.log"), key: mode("keys/openai"), tool: mode("plugins/copied/bin/tool") }).toEqual({
      root: 0o700,
      chats: 0o700,
      log: 0o600,
      key: 0o600,
      tool: 0o700, // still executable by its owner
    });
    expect(lstatSync(join(ws.userDir, "linked-plugin")).isSymbolicLink()).toBe(true);
    expect(walkTree(checkout), "the link's target is untouched").toEqual(checkoutBefore);
    expect(checkoutBefore.find((e) => e.path === "src/index.ts")?.mode).toBe(0o644);

    expect((await runCli(ws, ["doctor"])).code).toBe(0);
  });
});

describe("aleph doctor and agents", () => {
  test("reports a missing required file of an agent's workspace without repairing it; --fix seeds it from the template", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    const soul = join(ws.root, "agents", "main", "workspace", "SOUL.md");
    rmSync(soul);
    const report = await runCli(ws, ["doctor"]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/agents: main: required file SOUL\.md is missing/);
    expect(existsSync(soul), "a read-only check changes nothing").toBe(false);
    const fixed = await runCli(ws, ["doctor", "--fix"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(existsSync(soul)).toBe(true);
  });
});

describe("aleph doctor and databases", () => {
  test("checks every SQLite file present with integrity_check, read-only, and reports one that is not a database", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    const Database = createRequire(join(fileURLToPath(new URL("..", import.meta.url)), "apps/cli/package.json"))("better-sqlite3");
    const good = new Database(join(ws.root, "sessions.db"));
    good.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    good.close();
    const goodBytes = readFileSync(join(ws.root, "sessions.db"));
    writeFileSync(join(ws.root, "memory", "graph.db"), "this is not sqlite at all");
    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const dbs = report.findings.filter((f: { check: string }) => f.check === "databases");
    expect(dbs).toEqual([
      expect.objectContaining({ ok: false, path: join(ws.root, "memory", "graph.db"), message: expect.stringMatching(/not a database/) }),
      expect.objectContaining({ ok: true, path: join(ws.root, "sessions.db"), message: "integrity_check ok" }),
    ]);
    expect(readFileSync(join(ws.root, "sessions.db")).equals(goodBytes), "doctor never writes to a database").toBe(true);
  });
});
