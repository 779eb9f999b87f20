import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedAgent } from "./seed.js";
import { checksums, tempRoot, tree } from "./test-helpers.js";

const RUNTIME = ["context/", "prompts/", "sessions/", "state/"];

describe("seedAgent", () => {
  it("creates every directory 0700 and every file 0600, even under a umask of 0", async () => {
    const root = tempRoot();
    const saved = process.umask(0);
    try {
      await seedAgent({ root, agentId: "main", preset: "default" });
    } finally {
      process.umask(saved);
    }
    const agent = join(root, "agents", "main");
    const loose = ["", ...tree(agent)].filter((p) => {
      const stat = lstatSync(join(agent, p));
      return (stat.mode & 0o777) !== (stat.isDirectory() ? 0o700 : 0o600);
    });
    expect(loose).toEqual([]);
    expect(lstatSync(join(root, "agents")).mode & 0o777).toBe(0o700);
  });

  it("default: seeds exactly SOUL, IDENTITY, USER, TOOLS, AGENTS, HEARTBEAT, MEMORY, BOOTSTRAP and memory/", async () => {
    const root = tempRoot();
    const result = await seedAgent({ root, agentId: "main", preset: "default" });
    const agent = join(root, "agents", "main");
    expect(tree(join(agent, "workspace"))).toEqual(
      ["AGENTS.md", "BOOTSTRAP.md", "HEARTBEAT.md", "IDENTITY.md", "MEMORY.md", "SOUL.md", "TOOLS.md", "USER.md", "memory/"],
    );
    expect(tree(agent).filter((p) => p === "workspace/" || !p.startsWith("workspace/"))).toEqual([...RUNTIME, "workspace/"].sort());
    expect(result.created.filter((e) => e.kind === "file").map((e) => e.path.slice(agent.length + 1))).toEqual(
      ["SOUL.md", "IDENTITY.md", "USER.md", "TOOLS.md", "AGENTS.md", "HEARTBEAT.md", "MEMORY.md", "BOOTSTRAP.md"].map((n) => `workspace/${n}`),
    );
    expect(result.existing).toEqual([]);
    expect(result.conflicts).toEqual([]);
    expect(result.missingRequired).toEqual([]);
    expect(readFileSync(join(agent, "workspace", "IDENTITY.md"), "utf8")).toContain("**Agent id:** main");
  });

  it("openboa: seeds exactly its required and recommended files and directories", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "ops", preset: "openboa" });
    expect(tree(join(root, "agents", "ops", "workspace"))).toEqual(
      [".learnings/", "AGENT.md", "BOOTSTRAP.md", "IDENTITY.md", "MANDATE.md", "MEMORY.md", "PROFILE.md", "TOOLS.md", "USER.md", "memory/"],
    );
  });

  it("seeds CONTEXT.md and SKILLS.md only when asked, or when required", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "a", preset: "default", withOptional: true });
    expect(tree(join(root, "agents", "a", "workspace"))).toEqual(expect.arrayContaining(["CONTEXT.md", "SKILLS.md"]));
    const result = await seedAgent({ root, agentId: "b", preset: "default", required: ["SOUL.md", "CONTEXT.md", "PLAYBOOK.md"] });
    const files = tree(join(root, "agents", "b", "workspace"));
    expect(files).toContain("CONTEXT.md");
    expect(files).not.toContain("SKILLS.md");
    expect(files).not.toContain("PLAYBOOK.md"); // no template: not invented
    expect(result.missingRequired).toEqual(["PLAYBOOK.md"]);
  });

  for (const preset of ["default", "openboa"]) {
    it(`${preset}: never overwrites — every seeded file edited, seeded again, every checksum unchanged`, async () => {
      const root = tempRoot();
      const agent = join(root, "agents", "main");
      const first = await seedAgent({ root, agentId: "main", preset, withOptional: true });
      const files = first.created.filter((e) => e.kind === "file").map((e) => e.path);
      expect(files.length).toBeGreaterThan(5);
      files.forEach((path, i) => {
        // Every kind of edit: rewritten, emptied, appended to.
        if (i % 3 === 0) writeFileSync(path, `my own ${i}\n`);
        else if (i % 3 === 1) writeFileSync(path, "");
        else writeFileSync(path, `${readFileSync(path, "utf8")}\nmore ${i}\n`);
      });
      writeFileSync(join(agent, "sessions", "s1.jsonl"), '{"turn":1}\n');
      const before = checksums(agent);
      const again = await seedAgent({ root, agentId: "main", preset, withOptional: true });
      expect(checksums(agent)).toEqual(before);
      expect(again.created).toEqual([]);
      expect(again.existing.filter((e) => e.kind === "file").map((e) => e.path)).toEqual(files);
      expect(tree(agent).filter((p) => /\.(seed|tmp)$/.test(p))).toEqual([]);
    });
  }

  it("restores only what is missing", async () => {
    const root = tempRoot();
    const ws = join(root, "agents", "main", "workspace");
    await seedAgent({ root, agentId: "main", preset: "default" });
    writeFileSync(join(ws, "SOUL.md"), "mine");
    rmSync(join(ws, "USER.md"));
    rmSync(join(ws, "memory"), { recursive: true });
    const result = await seedAgent({ root, agentId: "main", preset: "default" });
    expect(result.created.map((e) => e.path)).toEqual([join(ws, "USER.md"), join(ws, "memory")]);
    expect(readFileSync(join(ws, "SOUL.md"), "utf8")).toBe("mine");
  });

  it("leaves things of the wrong kind alone and reports them", async () => {
    const root = tempRoot();
    const ws = join(root, "agents", "main", "workspace");
    mkdirSync(join(ws, "SOUL.md"), { recursive: true });
    writeFileSync(join(ws, "SOUL.md", "keep.txt"), "x");
    writeFileSync(join(ws, "memory"), "a file where a directory goes");
    const result = await seedAgent({ root, agentId: "main", preset: "default" });
    expect(result.conflicts.map((c) => c.path)).toEqual([join(ws, "SOUL.md"), join(ws, "memory")]);
    expect(readFileSync(join(ws, "SOUL.md", "keep.txt"), "utf8")).toBe("x");
    expect(readFileSync(join(ws, "memory"), "utf8")).toBe("a file where a directory goes");
  });

  it("never writes through a symlink, even a dangling one", async () => {
    const root = tempRoot();
    const outside = join(tempRoot(), "target.md");
    const ws = join(root, "agents", "main", "workspace");
    mkdirSync(ws, { recursive: true });
    symlinkSync(outside, join(ws, "USER.md"));
    const result = await seedAgent({ root, agentId: "main", preset: "default" });
    expect(existsSync(outside)).toBe(false);
    expect(result.existing.map((e) => e.path)).toContain(join(ws, "USER.md"));
  });

  it("seeds a configured workspace directory, relative to the root", async () => {
    const root = tempRoot();
    const result = await seedAgent({ root, agentId: "main", preset: "default", workspaceDir: "workspace-main" });
    expect(result.workspaceDir).toBe(join(root, "workspace-main"));
    expect(existsSync(join(root, "workspace-main", "SOUL.md"))).toBe(true);
    expect(existsSync(join(root, "agents", "main", "workspace"))).toBe(false);
    expect(existsSync(join(root, "agents", "main", "sessions"))).toBe(true);
  });

  it("concurrent seedings of one agent agree: one template each, nothing left behind", async () => {
    const root = tempRoot();
    const results = await Promise.all(Array.from({ length: 8 }, () => seedAgent({ root, agentId: "main", preset: "default" })));
    const ws = join(root, "agents", "main", "workspace");
    const createdSoul = results.filter((r) => r.created.some((e) => e.path === join(ws, "SOUL.md")));
    expect(createdSoul).toHaveLength(1);
    expect(tree(ws).filter((p) => p.startsWith("."))).toEqual([]);
  });
});
