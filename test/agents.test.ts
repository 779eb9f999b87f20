/*
 * Agents and identity through the CLI: declare, seed (never overwriting), inspect the bootstrap
 * context, layer the soul with provenance, remove (archive or purge) — each audited.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel } from "./support/aleph.js";

/** sha256 of every file under dir. */
function checksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

function auditLines(root: string): { actor: string; action: string; target: string; ok: boolean }[] {
  const dir = join(root, "audit");
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)));
}

describe("aleph agents", () => {
  test("init seeds soul.md and the main agent; seeding never overwrites what the user edited", async () => {
    const ws = createWorkspace();
    expect((await runCli(ws, ["init"])).code).toBe(0);
    expect(existsSync(join(ws.root, "soul.md"))).toBe(true);
    const main = join(ws.root, "agents", "main", "workspace");
    expect(readdirSync(main).sort()).toEqual(expect.arrayContaining(["SOUL.md", "IDENTITY.md", "USER.md", "TOOLS.md", "AGENTS.md", "HEARTBEAT.md", "MEMORY.md", "BOOTSTRAP.md"]));
    for (const d of ["sessions", "state", "prompts", "context"]) expect(statSync(join(ws.root, "agents", "main", d)).isDirectory()).toBe(true);
    // The user edits every seeded file; init and agents add run again: nothing changes.
    for (const [file] of Object.entries(checksums(main))) writeFileSync(join(main, file), `edited ${file}\n`);
    writeFileSync(join(ws.root, "soul.md"), "# Identity\nMine.\n");
    const before = { ...checksums(main), soul: checksums(ws.root)["soul.md"] };
    expect((await runCli(ws, ["init"])).code).toBe(0);
    expect((await runCli(ws, ["agents", "add", "main"])).code).toBe(0);
    expect({ ...checksums(main), soul: checksums(ws.root)["soul.md"] }).toEqual(before);
  });

  test("add, list, context and remove an agent; config.toml keeps every other line; each step is audited", async () => {
    const ws = createWorkspace({ config: "# mine\n[gateway]\nport = 18791\n" });
    const added = await runCli(ws, ["agents", "add", "writer", "--preset", "openboa"]);
    expect(added.code, added.stderr).toBe(0);
    expect(readFileSync(ws.configFile, "utf8")).toMatch(/^# mine\n\[gateway\]\nport = 18791\n\n\[\[agents\]\]\nid = "main"\n\n\[\[agents\]\]\nid = "writer"\npreset = "openboa"\n$/);
    const list = await runCliJson(ws, ["agents", "list", "--json"]);
    expect(list.map((a: { id: string; preset: string }) => [a.id, a.preset])).toEqual([["main", "default"], ["writer", "openboa"]]);
    const context = await runCliJson(ws, ["agents", "context", "writer", "--json"]);
    expect(context.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(["AGENT.md", "PROFILE.md", "MANDATE.md", "TOOLS.md", "IDENTITY.md", "BOOTSTRAP.md"]));
    expect(context.missingRequired).toEqual([]);

    const removed = await runCli(ws, ["agents", "remove", "writer"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(readFileSync(ws.configFile, "utf8")).toBe('# mine\n[gateway]\nport = 18791\n\n[[agents]]\nid = "main"\n');
    expect(existsSync(join(ws.root, "agents", "writer"))).toBe(false);
    expect(readdirSync(join(ws.root, "agents", ".archive"))).toEqual([expect.stringMatching(/^writer-/)]);
    const actions = auditLines(ws.root).filter((l) => l.actor === "cli").map((l) => [l.action, l.target, l.ok]);
    expect(actions).toEqual(expect.arrayContaining([["agents.add", "writer", true], ["agents.remove", "writer", true]]));
  });

  test("a bootstrap file over the configured limit is trimmed deterministically with a marker naming it", async () => {
    const ws = createWorkspace({ config: '[[agents]]\nid = "main"\nbootstrap = { per_file_chars = 200, total_chars = 10000 }\n' });
    await runCli(ws, ["init"]);
    writeFileSync(join(ws.root, "agents", "main", "workspace", "MEMORY.md"), "memory line\n".repeat(100));
    const first = await runCliJson(ws, ["agents", "context", "main", "--json"]);
    const second = await runCliJson(ws, ["agents", "context", "main", "--json"]);
    const memory = first.files.find((f: { name: string }) => f.name === "MEMORY.md");
    expect(memory).toMatchObject({ status: "truncated", originalChars: 1200 });
    expect(memory.chars).toBeLessThanOrEqual(200);
    expect(memory.content).toMatch(/truncated: MEMORY\.md kept \d+ of 1200 characters/);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  test("ids with path characters are refused everywhere, and nothing is written", async () => {
    const ws = createWorkspace();
    for (const args of [["agents", "add", "../x"], ["agents", "add", "a/b"], ["agents", "context", ".."], ["agents", "remove", "a..b"]]) {
      const result = await runCli(ws, args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(/ALEPH_E_INVALID_ID/);
    }
    expect(existsSync(ws.configFile)).toBe(false);
  });

  test("with a running kernel, agents add applies at once and the kernel seeds the new agent", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    await startReadyKernel(ws);
    const added = await runCli(ws, ["agents", "add", "helper"]);
    expect(added.code, added.stderr).toBe(0);
    expect(existsSync(join(ws.root, "agents", "helper", "workspace", "SOUL.md"))).toBe(true);
    const list = await runCliJson(ws, ["agents", "list", "--json"]);
    expect(list.map((a: { id: string }) => a.id)).toEqual(["main", "helper"]);
  });
});

describe("aleph identity show", () => {
  test("layers the project's .soul/identity.md over the agent's SOUL.md over soul.md, and --explain says where each value comes from", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    writeFileSync(join(ws.root, "soul.md"), "---\nrelationship: mentor\nexpertise:\n  - Rust\n---\n# Identity\nGlobal me.\n\n## Directives\n- global directive\n");
    writeFileSync(join(ws.root, "agents", "main", "workspace", "SOUL.md"), "---\nexpertise: [TypeScript]\n---\n## Directives\n- agent directive\n");
    const project = join(ws.base, "proj", "deep");
    mkdirSync(join(ws.base, "proj", ".soul"), { recursive: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(join(ws.base, "proj", ".soul", "identity.md"), "---\nrelationship: pair\n---\n");
    const fromProject = (await runCli(ws, ["identity", "show", "--json"], { cwd: project })).stdout;
    const r = JSON.parse(fromProject);
    expect(r.frontmatter.relationship).toMatchObject({ value: "pair", source: { layer: "project", line: 2 } });
    expect(r.frontmatter.expertise).toMatchObject({ value: ["TypeScript"], source: { layer: "agent" } });
    const directives = r.sections.find((s: { title: string }) => s.title === "Directives");
    expect(directives).toMatchObject({ body: "- agent directive", source: { layer: "agent" } });
    const identity = r.sections.find((s: { title: string }) => s.title === "Identity");
    expect(identity).toMatchObject({ body: "Global me.", source: { layer: "global", path: join(ws.root, "soul.md") } });
    const explained = await runCli(ws, ["identity", "show", "--explain"], { cwd: project });
    expect(explained.stdout).toMatch(/relationship = "pair" {2}← project .*\.soul\/identity\.md:2/);
    const rendered = await runCli(ws, ["identity", "show"], { cwd: project });
    expect(rendered.stdout).toMatch(/relationship: pair/);
    expect(rendered.stdout).toMatch(/- agent directive/);
  });
});
