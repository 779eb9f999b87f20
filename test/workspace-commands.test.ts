/*
 * The workspace plugin's own commands and doctor checks, beyond what agents.test.ts and
 * doctor.test.ts cover: config.toml is never edited when it cannot be edited safely, and the
 * agents part of the tree is the plugin's to check and repair.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel } from "./support/aleph.js";

describe("aleph agents add leaves config.toml alone when it cannot be edited safely", () => {
  test("a config.toml that does not load is reported and left byte for byte", async () => {
    const config = '[[agents]]\nid = "main"\n\n[extensions]\ndebounce_ms = "x"\n';
    const ws = createWorkspace({ config });
    const result = await runCli(ws, ["agents", "add", "writer"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ALEPH_E_CONFIG[\s\S]*config\.toml:5: extensions\.debounce_ms/);
    expect(readFileSync(ws.configFile, "utf8")).toBe(config);
    expect(existsSync(join(ws.root, "agents", "writer"))).toBe(false);
  });

  test("with a kernel running, a config.toml broken since it started is refused too, and left byte for byte", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: '[[agents]]\nid = "main"\n' });
    const kernel = await startReadyKernel(ws, ["--no-watch"]);
    try {
      const broken = '[[agents]]\nid = "main"\n\n[gateway]\nport = "x"\n';
      ws.writeConfig(broken);
      const result = await runCli(ws, ["agents", "add", "writer"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ALEPH_E_CONFIG: config\.toml does not load, so it is left as it is: gateway\.port: /);
      expect(readFileSync(ws.configFile, "utf8")).toBe(broken);
      expect(existsSync(join(ws.root, "agents", "writer"))).toBe(false);
    } finally {
      await kernel.stop();
    }
  });

  test("agents declared as an inline array are refused (a table appended to one would break the file)", async () => {
    const config = 'agents = [{ id = "main" }]\n';
    const ws = createWorkspace({ config });
    const result = await runCli(ws, ["agents", "add", "writer"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/inline array[\s\S]*\[\[agents\]\] table/);
    expect(readFileSync(ws.configFile, "utf8")).toBe(config);
  });

  test("removing an agent that is not declared names config.toml and changes nothing", async () => {
    const config = '# mine\n[[agents]]\nid = "main"\n';
    const ws = createWorkspace({ config });
    const result = await runCli(ws, ["agents", "remove", "ghost"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ALEPH_E_NOT_FOUND: agent "ghost" is not declared in config\.toml/);
    expect(readFileSync(ws.configFile, "utf8")).toBe(config);
  });
});

describe("doctor's agent checks come from the workspace plugin", () => {
  test("a missing agents/ is reported under tree and --fix creates it, with the agent's tree", async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    const agents = join(ws.root, "agents");
    rmSync(agents, { recursive: true });
    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const problems = report.findings.filter((f: { ok: boolean }) => !f.ok);
    expect(problems).toContainEqual(expect.objectContaining({ check: "tree", message: "missing directory", path: agents, fix: expect.stringMatching(/--fix/) }));
    expect(problems).toContainEqual(expect.objectContaining({ check: "agents", message: expect.stringMatching(/^main: /) }));
    expect(existsSync(agents), "a read-only check changes nothing").toBe(false);
    const fixed = await runCli(ws, ["doctor", "--fix"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/fixed {2}tree: created .*agents/);
    expect(existsSync(join(agents, "main", "workspace", "SOUL.md"))).toBe(true);
    expect(existsSync(join(agents, "main", "sessions"))).toBe(true);
  });

  test("with a config.toml that does not load, only the config finding is reported (the agents cannot be known)", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    ws.writeConfig('[gateway]\nport = "x"\n');
    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const problems = report.findings.filter((f: { ok: boolean }) => !f.ok).map((f: { check: string }) => f.check);
    expect(problems).toEqual(["config"]);
  });
});
