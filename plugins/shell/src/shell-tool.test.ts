import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readAudit, type ApprovalDecision, type ApprovalRequest, type ApprovalsService, type ToolCallContext } from "@aleph/plugin-sdk";
import { shellConfigSchema, type ShellConfig } from "./config.js";
import { createShellTool, type ShellToolOptions } from "./shell-tool.js";

let root: string;
let workspace: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "shell-tool-")));
  workspace = join(root, "agents", "main", "workspace");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** An approvals service that answers from a script and records what it was asked. */
function scriptedApprovals(answer: (request: ApprovalRequest, context: ToolCallContext) => ApprovalDecision | Promise<ApprovalDecision>) {
  const asked: { request: ApprovalRequest; context: ToolCallContext }[] = [];
  const service: ApprovalsService = {
    request: async (request, context) => (asked.push({ request, context }), answer(request, context)),
    list: () => [],
    answer: () => {
      throw new Error("not in this test");
    },
  };
  return { service, asked };
}

const SECRET = "sk-test-0123456789";
let warnings: string[];
let config: ShellConfig;
let approvals: ApprovalsService | undefined;
beforeEach(() => {
  warnings = [];
  config = shellConfigSchema.parse({ approval: "never" });
  approvals = undefined;
});

const tool = (overrides: Partial<ShellToolOptions> = {}) =>
  createShellTool({
    root,
    actor: "shell",
    approvedFile: join(root, "data", "shell", "approved.json"),
    config: () => config,
    workspaceOf: (agent) => (agent === "main" ? workspace : undefined),
    approvals: () => approvals,
    redact: (text) => text.split(SECRET).join("[redacted]"),
    warn: (message) => warnings.push(message),
    killGraceMs: 200,
    ...overrides,
  });
const shellRecords = () => readAudit(root).records.filter((r) => r.actor === "shell");

describe("the shell tool's environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it("never hands the vault passphrase (or any ALEPH_* variable, or an unlisted one) to the command", async () => {
    process.env.ALEPH_VAULT_PASSPHRASE = "correct horse battery staple";
    process.env.ALEPH_STATE_DIR = root;
    process.env.SOME_PROVIDER_KEY = "abcdef";
    process.env.LC_MESSAGES = "C";
    const result = await tool().call({ command: "env" }, {});
    expect(result.exit_code).toBe(0);
    expect(result.stdout).not.toMatch(/ALEPH_|correct horse|SOME_PROVIDER_KEY/);
    expect(result.stdout).toMatch(/^PATH=/m);
    expect(result.stdout).toMatch(/^LC_MESSAGES=C$/m);
  });

  it("passes pass_env and env, but withholds a value holding a known secret, with a warning naming it once", async () => {
    process.env.GOPATH = "/go";
    process.env.LEAKY = `token=${SECRET}`;
    config = shellConfigSchema.parse({ approval: "never", pass_env: ["GOPATH", "LEAKY"], env: { CI: "1", FROM_VAULT: SECRET } });
    const shell = tool();
    const result = await shell.call({ command: "env" }, {});
    expect(result.stdout).toMatch(/^GOPATH=\/go$/m);
    expect(result.stdout).toMatch(/^CI=1$/m);
    expect(result.stdout).not.toMatch(/LEAKY|FROM_VAULT/);
    await shell.call({ command: "true" }, {});
    expect(warnings).toEqual([expect.stringMatching(/^the variable FROM_VAULT is not passed/), expect.stringMatching(/^the variable LEAKY is not passed/)]);
    expect(warnings.join()).not.toContain(SECRET);
  });
});

describe("the shell tool's PATH", () => {
  it("never finds a program the agent planted in its workspace, even when Aleph's PATH has a relative entry", async () => {
    await mkdir(workspace, { recursive: true });
    await writeFile(join(workspace, "git"), "#!/bin/sh\necho planted\n", { mode: 0o755 });
    config = shellConfigSchema.parse({ approval: "allowlist", allow: ["git status"] });
    const shell = tool({ processEnv: { PATH: `.::/nonexistent` } });
    const result = await shell.call({ command: "git status" }, {});
    expect(result.stdout).not.toContain("planted");
    expect(result.exit_code).toBe(127); // not found: PATH holds only /nonexistent
  });
});

describe("the shell tool", () => {
  it("runs in the workspace and returns the exit code and both streams", async () => {
    expect(await tool().call({ command: "pwd; echo err >&2; exit 2" }, {})).toEqual({ exit_code: 2, timed_out: false, stdout: `${workspace}\n`, stderr: "err\n", truncated: false });
  });

  it("scrubs known secrets out of the output and the audit record", async () => {
    const result = await tool().call({ command: `echo ${SECRET}; echo ${SECRET} >&2` }, { agentId: "main", sessionKey: "agent:main:s1" });
    expect(result.stdout).toBe("[redacted]\n");
    expect(result.stderr).toBe("[redacted]\n");
    expect(JSON.stringify(shellRecords())).not.toContain(SECRET);
    expect(shellRecords().at(-1)).toMatchObject({ action: "shell.call", target: "echo [redacted]; echo [redacted] >&2", ok: true, exit_code: 0, agent: "main", session: "agent:main:s1" });
  });

  it("reports a timeout in the result and stops the command", async () => {
    config = shellConfigSchema.parse({ approval: "never", timeout_seconds: 5 });
    const started = Date.now();
    const result = await tool().call({ command: "echo before; sleep 20", timeout_seconds: 0.3 }, {});
    expect(result).toMatchObject({ timed_out: true, exit_code: null, signal: "SIGTERM", stdout: "before\n" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(shellRecords().at(-1)).toMatchObject({ action: "shell.call", ok: false, timed_out: true, error: expect.stringMatching(/^timed out/) });
  });

  it("refuses a timeout above the configured one, and an empty command, before anything runs", async () => {
    config = shellConfigSchema.parse({ approval: "never", timeout_seconds: 10 });
    await expect(tool().call({ command: "true", timeout_seconds: 11 }, {})).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/at most 10/) });
    await expect(tool().call({ command: "  " }, {})).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    expect(shellRecords().at(-1)).toMatchObject({ action: "shell.call", ok: false, error: expect.stringMatching(/^ALEPH_E_TOOL_ARGS/) });
  });

  it("refuses an agent that is not declared, and a cwd outside the workspace", async () => {
    await expect(tool().call({ command: "true" }, { agentId: "ghost" })).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: expect.stringMatching(/"ghost" is not declared/) });
    await expect(tool().call({ command: "true", cwd: ".." }, {})).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("stops the command and fails the call as cancelled when the turn's signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(tool().call({ command: "sleep 20" }, { signal: controller.signal })).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
    expect(shellRecords().at(-1)).toMatchObject({ action: "shell.call", ok: false, cancelled: true, error: "cancelled" });
  });

  it("asks with the command, its folder, a summary and what `always` remembers, passing the call's context", async () => {
    config = shellConfigSchema.parse({ approval: "always" });
    const scripted = scriptedApprovals(() => ({ approved: true, always: false, by: "ada" }));
    approvals = scripted.service;
    const context = { agentId: "main", sessionKey: "agent:main:s2", interactive: true };
    expect(await tool().call({ command: "echo hi" }, context)).toMatchObject({ stdout: "hi\n" });
    expect(scripted.asked).toEqual([
      {
        request: { tool: "shell", args: { command: "echo hi", cwd: workspace }, summary: `run \`echo hi\` in ${workspace}`, always: "remember `echo hi` for agent main" },
        context,
      },
    ]);
  });

  it("denies what needs a yes when no approvals service runs, saying so and how to allow it", async () => {
    config = shellConfigSchema.parse({ approval: "allowlist", allow: ["ls"] });
    await expect(tool().call({ command: "echo hi > x.txt" }, { interactive: true })).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/denied and did not run: no approvals service is running .* \(decided by shell\)\. For agent main, approval = "allowlist": the command contains ">"/),
      fix: expect.stringMatching(/\[tools\.shell\.agents\.main\]/),
    });
    expect(await tool().call({ command: "ls -d ." }, {})).toMatchObject({ exit_code: 0, stdout: ".\n" });
    expect(shellRecords().slice(-4)).toEqual([
      expect.objectContaining({ action: "shell.approval", ok: false, decision: "denied", asked: false, by: "shell", mode: "allowlist" }),
      expect.objectContaining({ action: "shell.call", ok: false, error: expect.stringMatching(/^ALEPH_E_DENIED/) }),
      expect.objectContaining({ action: "shell.approval", ok: true, decision: "allowed", asked: false, by: "config", rule: "allow: ls" }),
      expect.objectContaining({ action: "shell.call", ok: true, exit_code: 0 }),
    ]);
  });

  it("denies, with the reason, when the approvals service fails", async () => {
    config = shellConfigSchema.parse({ approval: "always" });
    approvals = scriptedApprovals(() => {
      throw new Error("socket closed");
    }).service;
    await expect(tool().call({ command: "echo hi" }, { interactive: true })).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/denied and did not run: the approvals service failed: socket closed/),
    });
  });

  it("explains an allow-list miss caused by shell control", async () => {
    config = shellConfigSchema.parse({ approval: "allowlist", allow: ["git status"] });
    approvals = scriptedApprovals(() => ({ approved: false, reason: "denied by ada", by: "ada" })).service;
    await expect(tool().call({ command: "git status | head" }, { interactive: true })).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/contains "\|", and a command with shell control .* never matches an allowed prefix/),
    });
  });
});
