import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalsRef, definePlugin, readAudit, toDisposable, toolsRef, workspaceRef, type AuditRecord, type ToolDefinition, type ToolsService } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";

// The plugin as built (dist/), with the bundled tools (registry and approvals) and workspace plugins, in a real kernel.
const shellDir = fileURLToPath(new URL("..", import.meta.url));
const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));

const AGENTS = [{ id: "main" }, { id: "ops" }, { id: "writer" }];
const SHELL = { approval: "always", agents: { ops: { approval: "never" }, writer: { approval: "allowlist", allow: ["echo hello"] } }, env: { API_TOKEN: "tok-0123456789" } };
const talk = (agentId: string) => ({ agentId, sessionKey: `agent:${agentId}:kit`, interactive: true });

describe("the shell plugin in a kernel", () => {
  let kernel: TestKernel;
  let tools: ToolsService;
  const answered = new Set<string>();

  /** Calls shell, and answers the approval request that call makes (failing the test when none comes). */
  async function callAnswering(command: string, context: ReturnType<typeof talk>, answer: "approve" | "deny" | "always") {
    const call = tools.call("shell", { command }, context);
    call.catch(() => undefined); // awaited below
    const request = await kernel.waitFor("agent.approval.requested", (p) => p.args.command === command && !answered.has(p.id));
    answered.add(request.id);
    kernel.service(approvalsRef)!.answer(request.id, answer, "ada");
    return { call, request };
  }
  const requestsFor = (command: string) => kernel.eventsNamed("agent.approval.requested").filter((p) => p.args.command === command);
  const shellRecords = () => readAudit(kernel.root).records.filter((r) => r.actor === "shell") as (AuditRecord & Record<string, unknown>)[];

  beforeAll(async () => {
    kernel = await createTestKernel({ plugins: [pluginDir("tools"), pluginDir("workspace"), shellDir], config: { agents: AGENTS, tools: { shell: SHELL } } });
    tools = kernel.service(toolsRef)!;
  }, 60_000);
  afterAll(async () => {
    await kernel?.stop();
  });

  it("is active and registers the shell tool", () => {
    expect(kernel.plugin("shell")?.status).toBe("active");
    expect(tools.list().filter((t) => t.plugin === "shell").map((t) => t.name)).toEqual(["shell"]);
  });

  it('approval = "never" (ops): runs in the agent\'s workspace without asking', async () => {
    const opsDir = kernel.service(workspaceRef)!.agents().find((a) => a.id === "ops")!.workspaceDir;
    expect(await tools.call("shell", { command: "pwd" }, talk("ops"))).toEqual({ exit_code: 0, timed_out: false, stdout: `${opsDir}\n`, stderr: "", truncated: false });
    expect(requestsFor("pwd")).toEqual([]);
    expect(shellRecords().slice(-2)).toEqual([
      expect.objectContaining({ action: "shell.approval", ok: true, target: "pwd", agent: "ops", session: "agent:ops:kit", mode: "never", asked: false, decision: "allowed", by: "config", rule: "never" }),
      expect.objectContaining({ action: "shell.call", ok: true, target: "pwd", agent: "ops", exit_code: 0, cwd: opsDir, ms: expect.any(Number) }),
    ]);
  });

  it('approval = "allowlist" (writer): an allowed prefix runs without asking; anything else asks', async () => {
    expect(await tools.call("shell", { command: "echo hello world" }, talk("writer"))).toMatchObject({ stdout: "hello world\n" });
    expect(requestsFor("echo hello world")).toEqual([]);

    const { call, request } = await callAnswering("echo hello; echo more", talk("writer"), "approve");
    expect(await call).toMatchObject({ exit_code: 0, stdout: "hello\nmore\n" });
    const writerDir = kernel.service(workspaceRef)!.agents().find((a) => a.id === "writer")!.workspaceDir;
    expect(request).toMatchObject({ tool: "shell", agentId: "writer", sessionKey: "agent:writer:kit", args: { command: "echo hello; echo more", cwd: writerDir }, summary: `run \`echo hello; echo more\` in ${writerDir}` });
    expect(shellRecords().at(-2)).toMatchObject({ action: "shell.approval", ok: true, agent: "writer", mode: "allowlist", asked: true, decision: "approved", by: "ada" });
  });

  it('approval = "always" (main): asks; a denial is a tool error carrying the reason and how to allow it', async () => {
    const { call } = await callAnswering("echo nope", talk("main"), "deny");
    await expect(call).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/^the shell command was denied and did not run: a person denied it .*approval = "always"/),
      fix: expect.stringMatching(/\[tools\.shell\.agents\.main\]/),
    });
    expect(shellRecords().slice(-2)).toEqual([
      expect.objectContaining({ action: "shell.approval", ok: false, agent: "main", mode: "always", asked: true, decision: "denied", by: "ada", error: expect.stringMatching(/a person denied it/) }),
      expect.objectContaining({ action: "shell.call", ok: false, agent: "main", error: expect.stringMatching(/^ALEPH_E_DENIED/) }),
    ]);
  });

  it("remembers an `always` answer for that agent and command: not asked again, exact match only", async () => {
    const { call, request } = await callAnswering("echo remembered", talk("main"), "always");
    expect(request.always).toBe("remember `echo remembered` for agent main");
    expect(await call).toMatchObject({ stdout: "remembered\n" });
    const file = join(kernel.root, "data", "shell", "approved.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ version: 1, agents: { main: ["echo remembered"] } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    expect(await tools.call("shell", { command: "echo remembered" }, talk("main"))).toMatchObject({ stdout: "remembered\n" });
    expect(requestsFor("echo remembered")).toHaveLength(1);
    expect(shellRecords().at(-2)).toMatchObject({ action: "shell.approval", asked: false, decision: "allowed", by: "remembered", rule: "remembered" });

    // Another agent, or a longer command, is asked about as before.
    const other = await callAnswering("echo remembered", talk("writer"), "deny");
    await expect(other.call).rejects.toMatchObject({ code: "ALEPH_E_DENIED" });
    const longer = await callAnswering("echo remembered too", talk("main"), "deny");
    await expect(longer.call).rejects.toMatchObject({ code: "ALEPH_E_DENIED" });
  });

  it("denies without asking when nobody can answer (not interactive), telling the model why", async () => {
    await expect(tools.call("shell", { command: "echo unattended" }, { agentId: "main", sessionKey: "agent:main:cron" })).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/denied and did not run: .*nobody can answer/),
    });
    expect(requestsFor("echo unattended")).toEqual([]);
    expect(shellRecords().at(-2)).toMatchObject({ action: "shell.approval", ok: false, asked: true, decision: "denied", by: "nobody", session: "agent:main:cron" });
  });

  it("scrubs a credential from the config out of the command's environment and output", async () => {
    const result = (await tools.call("shell", { command: 'echo "token=$API_TOKEN"; echo tok-0123456789' }, talk("ops"))) as { stdout: string };
    expect(result.stdout).toBe("token=\n[redacted]\n");
    expect(JSON.stringify(shellRecords())).not.toContain("tok-0123456789");
  });

  it("refuses a cwd outside the workspace and validates arguments through the registry", async () => {
    await expect(tools.call("shell", { command: "ls", cwd: ".." }, talk("ops"))).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(tools.call("shell", { command: "ls", extra: 1 }, talk("ops"))).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(tools.call("shell", { command: "ls" }, talk("ghost"))).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
  });

  it("audits every call once, whatever became of it", () => {
    // Calls made through the registry's validation reach no handler: the one with `extra` is not counted.
    const calls = shellRecords().filter((r) => r.action === "shell.call");
    expect(calls.map((r) => [r.agent, r.target, r.ok])).toEqual([
      ["ops", "pwd", true],
      ["writer", "echo hello world", true],
      ["writer", "echo hello; echo more", true],
      ["main", "echo nope", false],
      ["main", "echo remembered", true],
      ["main", "echo remembered", true],
      ["writer", "echo remembered", false],
      ["main", "echo remembered too", false],
      ["main", "echo unattended", false],
      ["ops", 'echo "token=$API_TOKEN"; echo [redacted]', true],
      ["ops", "ls", false],
      ["ghost", "ls", false],
    ]);
  });

  it("applies a config change from the next call, without a reload", async () => {
    await expect(tools.call("shell", { command: "echo later" }, { agentId: "main" })).rejects.toMatchObject({ code: "ALEPH_E_DENIED" });
    const generation = kernel.plugin("shell")!.generation;
    const applied = await kernel.writeConfig({ agents: AGENTS, tools: { shell: { ...SHELL, agents: { ...SHELL.agents, main: { approval: "never" } } } } });
    expect(applied).toMatchObject({ applied: true });
    expect(await tools.call("shell", { command: "echo later" }, { agentId: "main" })).toMatchObject({ stdout: "later\n" });
    expect(kernel.plugin("shell")!.generation).toBe(generation);
    expect(kernel.plugin("tools")!.generation).toBe(1);
  });
});

describe("the shell plugin without an approvals service", () => {
  // A registry alone: the bundled tools plugin always brings approvals with it.
  const registryOnly = {
    manifest: { plugin: { id: "registry-only", version: "1.0.0" }, services: { provides: ["tools"] } },
    definition: definePlugin({
      setup(ctx) {
        const registered = new Map<string, ToolDefinition>();
        ctx.services.provide(toolsRef, {
          register: (tool) => {
            registered.set(tool.name, tool);
            return toDisposable(() => void registered.delete(tool.name));
          },
          list: () => [...registered.values()].map((t) => ({ name: t.name, description: t.description, parameters: t.parameters, plugin: "shell" })),
          call: async (name, args, context) => registered.get(name)!.handler(args, context ?? {}),
          pending: () => undefined,
          settled: async () => undefined,
        });
      },
    }),
  };

  it("denies a command that needs a yes, saying no one can be asked; runs one that needs none", async () => {
    await using kernel = await createTestKernel({ plugins: [registryOnly, shellDir], config: { tools: { shell: { approval: "allowlist", allow: ["echo ok"] } } } });
    const tools = kernel.service(toolsRef)!;
    expect(kernel.service(approvalsRef)).toBeUndefined();
    await expect(tools.call("shell", { command: "echo not ok" }, { interactive: true })).rejects.toMatchObject({
      code: "ALEPH_E_DENIED",
      message: expect.stringMatching(/no approvals service is running/),
    });
    expect(await tools.call("shell", { command: "echo ok" }, {})).toMatchObject({ stdout: "ok\n" });
    expect(readAudit(kernel.root).records.filter((r) => r.action === "shell.call").map((r) => r.ok)).toEqual([false, true]);
  }, 60_000);
});

describe("the shell plugin's config and lifecycle", () => {
  it("fails to load on a [tools.shell] section passing ALEPH_VAULT_PASSPHRASE, saying why", async () => {
    await using kernel = await createTestKernel({ plugins: [pluginDir("tools"), shellDir], config: { tools: { shell: { pass_env: ["ALEPH_VAULT_PASSPHRASE"] } } } });
    expect(kernel.plugin("shell")?.status).toBe("failed");
    expect(kernel.plugin("shell")?.error?.message).toMatch(/ALEPH_\* variables .* never passed/);
  }, 60_000);

  it("passes the conformance kit", async () => {
    const result = await runPluginConformance(shellDir, { plugins: [pluginDir("tools"), pluginDir("workspace")] });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  }, 60_000);
});
