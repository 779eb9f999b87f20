/*
 * aleph doctor: finds what is wrong with a workspace, says how to fix each, and --fix only creates
 * what is missing (never deletes, overwrites or changes permissions).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson } from "./support/aleph.js";

describe("aleph doctor", () => {
  test("a fresh workspace passes every check", async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    const result = await runCli(ws, ["doctor"]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/checks passed/);
  });

  test("reports each problem with its fix, exits 1, and --fix creates only what is missing", async () => {
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
    expect(byCheck("permissions")).toEqual([expect.objectContaining({ path: join(ws.root, "providers.toml"), fix: `chmod 600 ${join(ws.root, "providers.toml")}` })]);
    expect(byCheck("plugins")[0].message).toMatch(/broken: ALEPH_E_MANIFEST/);
    expect(byCheck("config")[0].message).toMatch(/config\.toml:2: gateway\.port/);

    const fixed = await runCli(ws, ["doctor", "--fix"]);
    expect(fixed.code).toBe(1); // what --fix may not touch is still reported
    expect(fixed.stdout).toMatch(/fixed {2}tree: created .*skills/);
    expect(existsSync(join(ws.root, "skills"))).toBe(true);
    expect(statSync(join(ws.root, "providers.toml")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(ws.root, "config.toml"), "utf8")).toBe(configBefore);
    expect(existsSync(join(ws.userDir, "broken", "aleph_plugin.toml"))).toBe(true);
  });

  test("without a workspace it says to run aleph init", async () => {
    const ws = createWorkspace();
    const result = await runCli(ws, ["doctor"], { env: { ALEPH_STATE_DIR: join(ws.base, "nowhere") } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the state root does not exist[\s\S]*aleph init/);
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
  test("checks every SQLite file present with quick_check, read-only, and reports one that is not a database", async () => {
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
      expect.objectContaining({ ok: true, path: join(ws.root, "sessions.db"), message: "quick_check ok" }),
    ]);
    expect(readFileSync(join(ws.root, "sessions.db")).equals(goodBytes), "doctor never writes to a database").toBe(true);
  });
});
