import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PluginContribution, SkillFileEvent, SkillInfo } from "@aleph/plugin-sdk";
import { parseSkill } from "./format/parse-skill.js";
import { SkillRegistry, type RegistryDeps } from "./registry.js";

let dir: string;
const events: [string, SkillFileEvent][] = [];

function writeSkill(parent: string, name: string, front = `description: ${name} from ${parent.split("/").at(-2)}`): string {
  mkdirSync(join(parent, name), { recursive: true });
  const file = join(parent, name, "SKILL.md");
  writeFileSync(file, `---\nname: ${name}\n${front}\n---\nSteps for ${name}.\n`);
  return file;
}

function registry(overrides: Partial<RegistryDeps> = {}): SkillRegistry {
  const contributions: PluginContribution[] = [{ plugin: "extra", source: "user", dir: join(dir, "plugin"), values: ["skills"], paths: [join(dir, "plugin", "skills")] }];
  return new SkillRegistry({
    root: join(dir, "root"),
    bundledDir: join(dir, "bundled", "skills"),
    pluginId: "skills",
    cacheFile: join(dir, "cache.json"),
    parse: parseSkill,
    skillsDir: () => "skills",
    agents: () => [
      { id: "main", workspaceDir: join(dir, "ws-main") },
      { id: "other", workspaceDir: join(dir, "ws-other") },
    ],
    contributions: () => contributions,
    gate: () => ({ path: join(dir, "bin"), env: { TOKEN: "t" }, configValue: (key) => (key === "agent.model" ? "m" : undefined), platform: "linux" }),
    emit: async (event, payload) => void events.push([event, payload]),
    log: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
    ...overrides,
  });
}

const byFile = (list: SkillInfo[], file: string) => list.find((s) => s.file === file)!;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aleph-skills-"));
  events.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("SkillRegistry", () => {
  it("resolves a name across the four roots, strongest first, reporting what is shadowed", async () => {
    const agent = writeSkill(join(dir, "ws-main", "skills"), "deploy");
    const root = writeSkill(join(dir, "root", "skills"), "deploy");
    const plugin = writeSkill(join(dir, "plugin", "skills"), "deploy");
    const bundled = writeSkill(join(dir, "bundled", "skills"), "deploy");
    writeSkill(join(dir, "bundled", "skills"), "only-bundled");
    const r = registry();
    await r.refresh();
    const main = r.current.view("main");
    expect(main.all.map((s) => [s.name, s.source, s.status])).toEqual([
      ["deploy", "agent", "available"],
      ["deploy", "root", "shadowed"],
      ["deploy", "plugin", "shadowed"],
      ["deploy", "bundled", "shadowed"],
      ["only-bundled", "bundled", "available"],
    ]);
    expect(byFile(main.all, bundled).shadowedBy).toEqual({ source: "agent", file: agent });
    expect(byFile(main.all, plugin).plugin).toBe("extra");
    // Another agent does not see main's workspace: the root copy wins for it.
    const other = r.current.view("other");
    expect(other.byName.get("deploy")!.file).toBe(root);
    expect(byFile(other.all, plugin).reasons).toEqual([`shadowed by the root copy ${root}`]);
  });

  it("lets no invalid copy win: the next valid one is used, and the invalid one says so", async () => {
    const broken = join(dir, "root", "skills", "deploy", "SKILL.md");
    mkdirSync(join(dir, "root", "skills", "deploy"), { recursive: true });
    writeFileSync(broken, "---\nname: deploy\n---\n");
    const bundled = writeSkill(join(dir, "bundled", "skills"), "deploy");
    const r = registry();
    await r.refresh();
    const view = r.current.view("main");
    expect(view.byName.get("deploy")!.file).toBe(bundled);
    const invalid = byFile(view.all, broken);
    expect(invalid.status).toBe("invalid");
    expect(invalid.reasons).toEqual([expect.stringContaining("no description"), `the bundled copy ${bundled} is used instead`]);
    expect(invalid.errors[0]).toMatchObject({ file: broken, line: 2 });
  });

  it("refuses a skill folder that is a symlink leading out of its root", async () => {
    const outside = writeSkill(join(dir, "elsewhere"), "sneaky");
    mkdirSync(join(dir, "root", "skills"), { recursive: true });
    symlinkSync(join(dir, "elsewhere", "sneaky"), join(dir, "root", "skills", "sneaky"));
    // A link inside the root is fine.
    writeSkill(join(dir, "root", "skills", ".store"), "fine");
    symlinkSync(join(dir, "root", "skills", ".store", "fine"), join(dir, "root", "skills", "fine"));
    const r = registry();
    await r.refresh();
    const view = r.current.view("main");
    expect(view.byName.get("sneaky")).toMatchObject({ status: "invalid", reasons: [expect.stringContaining(`link to ${outside}, outside its root`)] });
    expect(view.byName.get("fine")!.status).toBe("available");
  });

  it("gates on each kind of requirement with the reason", async () => {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "present"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(dir, "bin", "not-exec"), "", { mode: 0o644 });
    const skills = join(dir, "root", "skills");
    writeSkill(skills, "met", "description: d\nrequires:\n  bins: [present]\n  any_bins: [nope, present]\n  env: [TOKEN]\n  config: [agent.model]\n  os: [linux]");
    writeSkill(skills, "no-bin", "description: d\nrequires:\n  bins: [not-exec]");
    writeSkill(skills, "no-any", "description: d\nrequires:\n  any_bins: [a1, a2]");
    writeSkill(skills, "no-env", "description: d\nrequires:\n  env: [MISSING_VAR]");
    writeSkill(skills, "no-config", "description: d\nrequires:\n  config: [gateway.token]");
    writeSkill(skills, "no-os", "description: d\nrequires:\n  os: [windows, macos]");
    const r = registry();
    await r.refresh();
    const reasons = Object.fromEntries(r.current.view("main").all.map((s) => [s.name, [s.status, ...s.reasons]]));
    expect(reasons).toEqual({
      met: ["available"],
      "no-bin": ["unavailable", 'needs the program "not-exec", which is not on the PATH'],
      "no-any": ["unavailable", 'needs one of the programs "a1", "a2", none of which is on the PATH'],
      "no-env": ["unavailable", "needs the environment variable MISSING_VAR, which is not set"],
      "no-config": ["unavailable", "needs the config key gateway.token (config.toml), which is not set"],
      "no-os": ["unavailable", "runs on win32 or darwin, not on linux"],
    });
    expect(r.current.view("main").available.map((s) => s.name)).toEqual(["met"]);
  });

  it("re-reads only changed files, from a cache that survives a restart", async () => {
    const skills = join(dir, "root", "skills");
    for (let i = 0; i < 30; i++) writeSkill(skills, `s${i}`);
    const first = registry();
    await first.refresh();
    expect(first.index.filesRead).toBe(30);
    // The first scan leaves the write to the plugin (after kernel.ready).
    first.index.save();
    const changed = writeSkill(skills, "s3", "description: changed, and longer than before");
    const later = Date.now() / 1000 + 5;
    utimesSync(changed, later, later);
    writeSkill(skills, "s30");
    const second = registry();
    await second.refresh();
    expect(second.index.filesRead).toBe(2);
    expect(second.current.view("main").byName.get("s3")!.description).toBe("changed, and longer than before");
  });

  it("announces added, changed and removed files after the first scan", async () => {
    const skills = join(dir, "root", "skills");
    const a = writeSkill(skills, "a");
    const b = writeSkill(skills, "b");
    const r = registry();
    await r.refresh();
    expect(events).toEqual([]);
    writeSkill(skills, "c");
    writeFileSync(a, "---\nname: a\ndescription: new text\n---\n");
    rmSync(join(skills, "b"), { recursive: true });
    await r.refresh();
    expect(events).toEqual([
      ["skill.added", { name: "c", source: "root", file: join(skills, "c", "SKILL.md") }],
      ["skill.changed", { name: "a", source: "root", file: a }],
      ["skill.removed", { name: "b", source: "root", file: b }],
    ]);
  });
});
