import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAgentWorkspace } from "./check.js";
import { seedAgent } from "./seed.js";
import { tempRoot } from "./test-helpers.js";

async function seeded(preset = "default") {
  const root = tempRoot();
  const { workspaceDir, agentDir } = await seedAgent({ root, agentId: "main", preset });
  return { root, workspaceDir, agentDir };
}

describe("checkAgentWorkspace", () => {
  it("finds nothing wrong with a freshly seeded workspace, for either preset", async () => {
    for (const preset of ["default", "openboa"]) {
      const { root } = await seeded(preset);
      expect(await checkAgentWorkspace({ root, agentId: "main", preset })).toEqual([]);
    }
  });

  it("reports a missing required file with its path and a fix that seeding applies", async () => {
    const { root, workspaceDir } = await seeded("openboa");
    rmSync(join(workspaceDir, "MANDATE.md"));
    rmSync(join(workspaceDir, "USER.md")); // optional: not a problem
    const problems = await checkAgentWorkspace({ root, agentId: "main", preset: "openboa" });
    expect(problems).toEqual([
      expect.objectContaining({ code: "missing", severity: "error", name: "MANDATE.md", path: join(workspaceDir, "MANDATE.md"), seedable: true, fix: expect.stringContaining("aleph agents add main") }),
    ]);
    await seedAgent({ root, agentId: "main", preset: "openboa" });
    expect(await checkAgentWorkspace({ root, agentId: "main", preset: "openboa" })).toEqual([]);
  });

  it("reports a required path that is a directory, and a dangling link", async () => {
    const { root, workspaceDir } = await seeded();
    rmSync(join(workspaceDir, "SOUL.md"));
    mkdirSync(join(workspaceDir, "SOUL.md"));
    rmSync(join(workspaceDir, "IDENTITY.md"));
    symlinkSync(join(root, "nowhere.md"), join(workspaceDir, "IDENTITY.md"));
    const problems = await checkAgentWorkspace({ root, agentId: "main", preset: "default" });
    expect(problems.map((p) => `${p.name}:${p.code}:${p.severity}`)).toEqual(["SOUL.md:is-directory:error", "IDENTITY.md:dangling-link:error"]);
    expect(problems.every((p) => p.fix.length > 0 && p.path.startsWith(workspaceDir))).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)("reports an unreadable file", async () => {
    const { root, workspaceDir } = await seeded();
    chmodSync(join(workspaceDir, "AGENTS.md"), 0o000);
    const problems = await checkAgentWorkspace({ root, agentId: "main", preset: "default" });
    chmodSync(join(workspaceDir, "AGENTS.md"), 0o644);
    expect(problems).toEqual([expect.objectContaining({ code: "unreadable", name: "AGENTS.md", severity: "error" })]);
  });

  it("uses the agent's own required set", async () => {
    const { root, workspaceDir } = await seeded();
    rmSync(join(workspaceDir, "SOUL.md"));
    const problems = await checkAgentWorkspace({ root, agentId: "main", preset: "default", required: ["USER.md", "PLAYBOOK.md"], seedCommand: "aleph agents seed main" });
    expect(problems.map((p) => `${p.name}:${p.code}:${p.seedable}`)).toEqual(["PLAYBOOK.md:missing:false"]);
    expect(problems[0]!.fix).toMatch(/yourself/);
  });

  it("warns about an optional file that exists but is broken, and about missing runtime directories", async () => {
    const { root, workspaceDir, agentDir } = await seeded();
    rmSync(join(workspaceDir, "MEMORY.md"));
    mkdirSync(join(workspaceDir, "MEMORY.md"));
    rmSync(join(agentDir, "prompts"), { recursive: true });
    rmSync(join(agentDir, "state"), { recursive: true });
    writeFileSync(join(agentDir, "state"), "not a dir");
    const problems = await checkAgentWorkspace({ root, agentId: "main", preset: "default" });
    expect(problems.map((p) => `${p.name}:${p.code}:${p.severity}`)).toEqual([
      "MEMORY.md:is-directory:warning", "state/:not-directory:error", "prompts/:runtime-dir-missing:warning",
    ]);
  });

  it("reports a missing workspace once, and checks a configured one", async () => {
    const root = tempRoot();
    expect(await checkAgentWorkspace({ root, agentId: "main", preset: "default" })).toEqual([
      expect.objectContaining({ code: "workspace-missing", seedable: true, path: join(root, "agents", "main", "workspace") }),
    ]);
    await seedAgent({ root, agentId: "main", preset: "default", workspaceDir: join(root, "elsewhere") });
    expect(await checkAgentWorkspace({ root, agentId: "main", preset: "default", workspaceDir: join(root, "elsewhere") })).toEqual([]);
  });
});
