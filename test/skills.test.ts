/*
 * The bundled skills plugin end to end, through the real CLI: SKILL.md folders in the four roots
 * (the agent's workspace skills/, [skills] skills_dir, a plugin's [contributes] skills, the bundled
 * ones), precedence and shadowing, gating, invalid front-matter with lines, symlinks leaving a root,
 * hot add/change/remove under `aleph start`, `skills new|check`, the on-disk index cache with 1,000
 * skills, and `[skills] enabled`.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, startReadyKernel } from "./support/aleph.js";
import {
  agentSkillsDir,
  copiesOf,
  copyAt,
  installSkill,
  listSkills,
  rootSkillsDir,
  skillText,
  statusByName,
  writeSkill,
  writeSkillsPlugin,
  type SkillDetail,
  type SkillsStats,
} from "./support/skills.js";

/** The bundled copy of git-commit (plugins/skills/skills/git-commit). */
const BUNDLED_GIT_COMMIT = /\/plugins\/skills\/skills\/git-commit\/SKILL\.md$/;
const TWO_AGENTS = '[[agents]]\nid = "main"\n\n[[agents]]\nid = "other"\n';

describe("skills: discovery and precedence", () => {
  test("the same name in the four roots: the agent's copy wins, the others are shadowed by it; removing a copy hands the name to the next root; another agent sees the root copy", async () => {
    const ws = createWorkspace({ config: TWO_AGENTS });
    const agentFile = writeSkill(agentSkillsDir(ws), "git-commit", { description: "The main agent's commit skill.", body: "AGENT BODY" });
    const rootFile = writeSkill(rootSkillsDir(ws), "git-commit", { description: "The root's commit skill.", body: "ROOT BODY" });
    const pluginDir = writeSkillsPlugin(join(ws.userDir, "acme"), "acme");
    const pluginFile = writeSkill(join(pluginDir, "skills"), "git-commit", { description: "Acme's commit skill.", body: "PLUGIN BODY" });

    const list = await listSkills(ws);
    expect(list.agent).toBe("main");
    const copies = copiesOf(list, "git-commit");
    expect(copies.map((c) => [c.source, c.status])).toEqual([
      ["agent", "available"],
      ["root", "shadowed"],
      ["plugin", "shadowed"],
      ["bundled", "shadowed"],
    ]);
    expect(copies.map((c) => c.file).slice(0, 3)).toEqual([agentFile, rootFile, pluginFile]);
    expect(copies[3]!.file).toMatch(BUNDLED_GIT_COMMIT);
    expect(copies[0]).toMatchObject({ agentId: "main", description: "The main agent's commit skill.", reasons: [] });
    expect(copies[0]!.shadowedBy).toBeUndefined();
    expect(copies[2]!.plugin).toBe("acme");
    expect(copies[3]!.plugin).toBe("skills");
    for (const shadowed of copies.slice(1)) {
      expect(shadowed.shadowedBy).toEqual({ source: "agent", file: agentFile });
      expect(shadowed.reasons).toEqual([`shadowed by the agent copy ${agentFile}`]);
    }
    // Winners first by name, each followed by what it shadows: the four copies are adjacent.
    const at = list.skills.findIndex((s) => s.name === "git-commit");
    expect(list.skills.slice(at, at + 4).every((s) => s.name === "git-commit")).toBe(true);
    expect(statusByName(list)["skill-creator"]).toBe("available");

    const shown = await runCliJson<SkillDetail>(ws, ["skills", "show", "git-commit", "--json"]);
    expect(shown).toMatchObject({ name: "git-commit", source: "agent", file: agentFile, status: "available" });
    expect(shown.body.trim()).toBe("AGENT BODY");

    // Another agent does not see main's workspace: the root copy wins for it.
    const other = await listSkills(ws, ["--agent", "other"]);
    expect(other.agent).toBe("other");
    expect(copiesOf(other, "git-commit").map((c) => [c.source, c.status, c.shadowedBy?.file])).toEqual([
      ["root", "available", undefined],
      ["plugin", "shadowed", rootFile],
      ["bundled", "shadowed", rootFile],
    ]);
    expect(other.skills.filter((s) => s.source === "agent")).toEqual([]);
    expect((await runCliJson<SkillDetail>(ws, ["skills", "show", "git-commit", "--agent", "other", "--json"])).body.trim()).toBe("ROOT BODY");

    // Removing the agent's copy: the root's wins for main too.
    rmSync(dirname(agentFile), { recursive: true });
    const after = await listSkills(ws);
    expect(copiesOf(after, "git-commit").map((c) => [c.source, c.status, c.shadowedBy?.source])).toEqual([
      ["root", "available", undefined],
      ["plugin", "shadowed", "root"],
      ["bundled", "shadowed", "root"],
    ]);
    expect((await runCliJson<SkillDetail>(ws, ["skills", "show", "git-commit", "--json"])).body.trim()).toBe("ROOT BODY");

    // Then the root's: the plugin's; then the plugin's: the bundled one.
    rmSync(dirname(rootFile), { recursive: true });
    const fromPlugin = await runCliJson<SkillDetail>(ws, ["skills", "show", "git-commit", "--json"]);
    expect(fromPlugin).toMatchObject({ source: "plugin", plugin: "acme", file: pluginFile, status: "available" });
    expect(fromPlugin.body.trim()).toBe("PLUGIN BODY");
    rmSync(dirname(pluginFile), { recursive: true });
    const bundled = await runCliJson<SkillDetail>(ws, ["skills", "show", "git-commit", "--json"]);
    expect(bundled).toMatchObject({ source: "bundled", plugin: "skills", userInvocable: true });
    expect(bundled.body).toContain("# Writing a commit");
    expect(copiesOf(await listSkills(ws), "git-commit")).toHaveLength(1);
  });

  test("skills show of a name no root has: exit 1, naming the skills there are", async () => {
    const ws = createWorkspace();
    writeSkill(rootSkillsDir(ws), "deploy-site");
    const result = await runCli(ws, ["skills", "show", "no-such-skill"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no skill "no-such-skill" for agent main');
    // The fix line offers examples of the names there are (it printed "(e.g. )": see the report).
    expect(result.stderr).toMatch(/e\.g\. deploy-site, git-commit, skill-creator/);
  });
});

describe("skills: gating", () => {
  test("bins, any_bins, env, config and os: statuses and reasons; the PATH used is printed; a running kernel gates on its own environment and re-gates on a config change", async () => {
    const ws = createWorkspace();
    delete ws.env.SKILLS_E2E_TOKEN;
    const bin = join(ws.base, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "skills-e2e-tool"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    writeFileSync(join(bin, "skills-e2e-noexec"), "#!/bin/sh\nexit 0\n", { mode: 0o644 }); // on the PATH, not executable
    const here = process.platform === "darwin" ? "macos" : process.platform; // an alias where there is one
    const [elsewhere, elsewhereNode] = process.platform === "win32" ? ["linux", "linux"] : ["windows", "win32"];
    const skills = rootSkillsDir(ws);
    writeSkill(skills, "needs-bin", { extra: "requires:\n  bins: [skills-e2e-tool]" });
    writeSkill(skills, "needs-any-bin", { extra: "requires:\n  any_bins: [skills-e2e-missing, skills-e2e-tool]" });
    writeSkill(skills, "needs-noexec", { extra: "requires:\n  bins: skills-e2e-noexec" }); // one name, not a list
    writeSkill(skills, "needs-env", { extra: "requires:\n  env: [SKILLS_E2E_TOKEN]" });
    writeSkill(skills, "needs-config", { extra: "requires:\n  config: [demo.flag]" });
    writeSkill(skills, "needs-os-here", { extra: `requires:\n  os: [${here}]` });
    writeSkill(skills, "needs-os-elsewhere", { extra: `requires:\n  os: [${elsewhere}]` });
    // A stronger copy whose requirement is unmet still wins (unavailable): it replaced the bundled one on purpose.
    const override = writeSkill(skills, "git-commit", { extra: "requires:\n  bins: [skills-e2e-tool]" });
    const ours = (list: Awaited<ReturnType<typeof listSkills>>) => Object.fromEntries(list.skills.filter((s) => s.name.startsWith("needs-")).map((s) => [s.name, s.reasons]));

    // Nothing met but the os.
    const none = await listSkills(ws);
    expect(none.path).toBe(ws.env.PATH);
    expect(ours(none)).toEqual({
      "needs-any-bin": ['needs one of the programs "skills-e2e-missing", "skills-e2e-tool", none of which is on the PATH'],
      "needs-bin": ['needs the program "skills-e2e-tool", which is not on the PATH'],
      "needs-config": ["needs the config key demo.flag (config.toml), which is not set"],
      "needs-env": ["needs the environment variable SKILLS_E2E_TOKEN, which is not set"],
      "needs-noexec": ['needs the program "skills-e2e-noexec", which is not on the PATH'],
      "needs-os-elsewhere": [`runs on ${elsewhereNode}, not on ${process.platform}`],
      "needs-os-here": [],
    });
    expect(statusByName(none)).toMatchObject({ "needs-bin": "unavailable", "needs-os-here": "available", "needs-os-elsewhere": "unavailable" });
    expect(copiesOf(none, "needs-any-bin")[0]!.requires).toEqual({ bins: [], anyBins: ["skills-e2e-missing", "skills-e2e-tool"], env: [], config: [], os: [] });
    expect(copiesOf(none, "needs-os-here")[0]!.requires!.os).toEqual([process.platform]);
    expect(copiesOf(none, "git-commit").map((c) => [c.source, c.status, c.shadowedBy?.file])).toEqual([
      ["root", "unavailable", undefined],
      ["bundled", "shadowed", override],
    ]);

    // The program on the PATH, the variable set, the config key set: only the non-executable file and the other os stay unmet.
    ws.writeConfig("[demo]\nflag = true\n");
    const path = `${bin}${delimiter}${ws.env.PATH}`;
    const env = { PATH: path, SKILLS_E2E_TOKEN: "t0k3n" };
    const met = await listSkills(ws, [], env);
    expect(met.path).toBe(path);
    expect(statusByName(met)).toMatchObject({
      "needs-any-bin": "available",
      "needs-bin": "available",
      "needs-config": "available",
      "needs-env": "available",
      "needs-noexec": "unavailable",
      "needs-os-elsewhere": "unavailable",
      "needs-os-here": "available",
      "git-commit": "available",
    });
    expect(copiesOf(met, "git-commit")[0]!.file).toBe(override);
    const text = await runCli(ws, ["skills", "list"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Programs were looked up on PATH=${path}\n`);
    expect(text.stdout).toMatch(/needs-noexec\s+unavailable\s+root\s+needs the program "skills-e2e-noexec", which is not on the PATH/);
    expect(text.stdout).toMatch(/needs-bin\s+available\s+root\s+What needs-bin does/);

    // A running kernel: its own PATH and environment decide, not the CLI's.
    const kernel = startKernel(ws, [], { env });
    await kernel.ready();
    const viaKernel = await listSkills(ws); // the CLI's env has neither the program nor the variable
    expect(viaKernel.path).toBe(path);
    expect(statusByName(viaKernel)).toMatchObject({ "needs-bin": "available", "needs-env": "available", "needs-config": "available" });
    // A config change re-gates without a restart: false is "not set".
    const since = kernel.mark();
    ws.writeConfig("[demo]\nflag = false\n");
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("demo"), 10_000, since);
    await eventually(async () => expect(ours(await listSkills(ws))["needs-config"]).toEqual(["needs the config key demo.flag (config.toml), which is not set"]));
    expect(statusByName(await listSkills(ws))["needs-bin"]).toBe("available");
  });
});

describe("skills: invalid SKILL.md", () => {
  test("each invalid copy is listed with its file and line, never stops the others; a broken override leaves the weaker copy in use; skills check reports file:line and exits 1", async () => {
    const ws = createWorkspace();
    const skills = rootSkillsDir(ws);
    const cases: { folder: string; text: string; name: string; line: number; message: RegExp }[] = [
      { folder: "bad-yaml", name: "bad-yaml", text: "---\nname: bad-yaml\ndescription: Broken YAML below.\ntags: [a, b\n---\n\nBody\n", line: 4, message: /^invalid YAML/ },
      { folder: "no-description", name: "no-description", text: "---\nname: no-description\nlicense: MIT\n---\n\nBody\n", line: 2, message: /^no description/ },
      { folder: "Bad_Name", name: "Bad_Name", text: "---\ndescription: A bad name.\nname: Bad_Name\n---\n\nBody\n", line: 3, message: /^name "Bad_Name" is not a skill name/ },
      { folder: "folder-a", name: "folder-b", text: "---\nlicense: MIT\ndescription: Named after another folder.\nname: folder-b\n---\n\nBody\n", line: 4, message: /^name "folder-b" differs from its folder "folder-a"/ },
      { folder: "long-description", name: "long-description", text: `---\nname: long-description\ndescription: ${"x".repeat(1025)}\n---\n\nBody\n`, line: 3, message: /longer than 1024 characters/ },
    ];
    for (const c of cases) writeSkill(skills, c.folder, c.text);
    writeSkill(skills, "max-description", { description: "y".repeat(1024) });
    writeSkill(skills, "good-one", { description: "A valid skill beside the broken ones." });
    // A broken copy of git-commit in a stronger root than the bundled one.
    const brokenOverride = writeSkill(skills, "git-commit", "---\nname: git-commit\n---\n\nBody\n");

    const list = await listSkills(ws);
    for (const c of cases) {
      const file = join(skills, c.folder, "SKILL.md");
      const copy = copyAt(list, file);
      expect(copy, c.folder).toMatchObject({ name: c.name, status: "invalid", description: "" });
      expect(copy.errors[0], c.folder).toMatchObject({ file, line: c.line });
      expect(copy.errors[0]!.message, c.folder).toMatch(c.message);
      expect(copy.reasons[0], c.folder).toBe(`${file}:${c.line}: ${copy.errors[0]!.message}`);
    }
    expect(statusByName(list)).toMatchObject({ "good-one": "available", "max-description": "available", "skill-creator": "available" });
    // The strongest valid copy wins; the broken override is listed after it, saying which copy is used.
    const commit = copiesOf(list, "git-commit");
    expect(commit.map((c) => [c.source, c.status])).toEqual([
      ["bundled", "available"],
      ["root", "invalid"],
    ]);
    expect(commit[1]!.file).toBe(brokenOverride);
    expect(commit[1]!.reasons[1]).toMatch(/^the bundled copy .*\/git-commit\/SKILL\.md is used instead$/);

    // skills check on the folder of skills: every report, errors as file:line: error: …, exit 1.
    const check = await runCli(ws, ["skills", "check", skills]);
    expect(check.code).toBe(1);
    for (const c of cases) {
      expect(check.stdout).toContain(`INVALID ${c.name}  ${join(skills, c.folder)}\n`);
      expect(check.stdout).toMatch(new RegExp(`^  ${escape(join(skills, c.folder, "SKILL.md"))}:${c.line}: error: `, "m"));
    }
    expect(check.stdout).toContain(`ok      good-one  ${join(skills, "good-one")}\n`);
    const reports = await runCliJson<{ name: string; ok: boolean }[]>(ws, ["skills", "check", skills, "--json"], 1);
    expect(reports.filter((r) => r.ok).map((r) => r.name)).toEqual(["good-one", "max-description"]);

    // One valid folder: exit 0, no warnings.
    const good = await runCli(ws, ["skills", "check", join(skills, "good-one")]);
    expect(good).toMatchObject({ code: 0, stdout: `ok      good-one  ${join(skills, "good-one")}\n` });

    // --strict: Aleph's extensions are warnings (with their lines), not errors.
    const ext = writeSkill(join(ws.base, "authoring"), "portable", { extra: "requires:\n  bins: [git]\nuser-invocable: true" });
    const plain = await runCli(ws, ["skills", "check", dirname(ext)]);
    expect(plain).toMatchObject({ code: 0, stdout: `ok      portable  ${dirname(ext)}\n` });
    const strict = await runCli(ws, ["skills", "check", dirname(ext), "--strict"]);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toContain(`ok      portable  ${dirname(ext)}  (2 warnings)\n`);
    expect(strict.stdout).toContain(`  ${ext}:4: warning: requires is an Aleph extension`);
    expect(strict.stdout).toContain(`  ${ext}:6: warning: user-invocable is an Aleph extension`);

    // A folder without any SKILL.md: exit 1 saying so.
    const empty = join(ws.base, "not-a-skill");
    mkdirSync(join(empty, "notes"), { recursive: true });
    writeFileSync(join(empty, "notes", "README.md"), "# not a skill\n");
    const none = await runCli(ws, ["skills", "check", empty]);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain(`No SKILL.md in ${empty} or its folders`);
    expect(none.stderr).toContain("aleph skills new <name>");
  });
});

describe("skills: symlinks", () => {
  test("a link leaving its root is refused (invalid, the reason names the link's target) and takes no name away; a link within the root works", async () => {
    const ws = createWorkspace();
    const skills = rootSkillsDir(ws);
    // Within the root: a folder link and a file link into a hidden folder (hidden folders are never skills themselves).
    writeSkill(join(skills, ".store"), "inside-link", { description: "Reached through a link inside the root." });
    symlinkSync(join(".store", "inside-link"), join(skills, "inside-link"));
    mkdirSync(join(skills, "file-inside"));
    writeFileSync(join(skills, ".store", "file-inside.md"), skillText("file-inside", { description: "A SKILL.md linked within the root." }));
    symlinkSync(join("..", ".store", "file-inside.md"), join(skills, "file-inside", "SKILL.md"));
    // Leaving the root: a folder link, a file link, and one under a name the bundled plugin ships.
    const outside = join(ws.base, "outside");
    writeSkill(outside, "escaper", { body: "OUTSIDE BODY" });
    writeSkill(outside, "git-commit", { body: "OUTSIDE COMMIT" });
    symlinkSync(join(outside, "escaper"), join(skills, "escaper"));
    symlinkSync(join(outside, "git-commit"), join(skills, "git-commit"));
    mkdirSync(join(skills, "file-escape"));
    writeSkill(outside, "file-escape");
    symlinkSync(join(outside, "file-escape", "SKILL.md"), join(skills, "file-escape", "SKILL.md"));

    const list = await listSkills(ws);
    expect(copyAt(list, join(skills, "inside-link", "SKILL.md"))).toMatchObject({ name: "inside-link", status: "available", description: "Reached through a link inside the root." });
    expect(copyAt(list, join(skills, "file-inside", "SKILL.md"))).toMatchObject({ name: "file-inside", status: "available" });
    expect(list.skills.some((s) => s.file.includes(".store"))).toBe(false);
    const realOutside = realpathSync(outside);
    for (const name of ["escaper", "file-escape", "git-commit"]) {
      const file = join(skills, name, "SKILL.md");
      const copy = copyAt(list, file);
      expect(copy.status, name).toBe("invalid");
      expect(copy.reasons[0], name).toBe(`${file}: it is a link to ${join(realOutside, name, "SKILL.md")}, outside its root ${skills}: refused (copy the skill into the root instead)`);
    }
    // The refused git-commit does not shadow the bundled one.
    expect(copiesOf(list, "git-commit").map((c) => [c.source, c.status])).toEqual([
      ["bundled", "available"],
      ["root", "invalid"],
    ]);
    // Its body is never offered to the agent.
    const read = await runCli(ws, ["tools", "call", "skill_read", '{"name":"escaper"}']);
    expect(read.code).toBe(1);
    expect(read.stdout).not.toContain("OUTSIDE BODY");
    expect(read.stderr).toMatch(/skill "escaper" is invalid: .*outside its root/);
    const inside = await runCli(ws, ["tools", "call", "skill_read", '{"name":"inside-link"}']);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain("Instructions of inside-link.");
  });

  test("skills show of a refused link does not read what the link reaches", async () => {
    const ws = createWorkspace();
    const outside = join(ws.base, "outside");
    writeSkill(outside, "escaper", { body: "OUTSIDE BODY" });
    mkdirSync(rootSkillsDir(ws));
    symlinkSync(join(outside, "escaper"), join(rootSkillsDir(ws), "escaper"), "dir");
    const shown = await runCli(ws, ["skills", "show", "escaper"]);
    // The copy is refused, and is listed so; show must not print the file outside the root either
    // (it printed it, exit 0: see the report). skill_read refuses it (the test above).
    expect(shown.stdout + shown.stderr).toContain("outside its root");
    expect(shown.stdout + shown.stderr).not.toContain("OUTSIDE BODY");
    const json = await runCli(ws, ["skills", "show", "escaper", "--json"]);
    expect(json.stdout).not.toContain("OUTSIDE BODY");
  });
});

describe("skills: hot reload under aleph start", () => {
  test("add, change, shadow, unshadow, break and remove a skill while running: skill.* events, and skills list (through the kernel) follows", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    const skills = rootSkillsDir(ws); // does not exist yet
    const names = async () => (await listSkills(ws)).skills.map((s) => `${s.name}:${s.source}:${s.status}`);

    let since = kernel.mark();
    const file = installSkill(ws.staging, skills, "hot-skill", { description: "First description." });
    const added = await kernel.waitForEvent("skill.added", (p) => p.name === "hot-skill", 10_000, since);
    expect(added.payload).toEqual({ name: "hot-skill", source: "root", file });
    expect(copiesOf(await listSkills(ws), "hot-skill").map((c) => [c.status, c.description])).toEqual([["available", "First description."]]);

    since = kernel.mark();
    writeFileSync(file, skillText("hot-skill", { description: "Second description, longer." }));
    await kernel.waitForEvent("skill.changed", (p) => p.name === "hot-skill" && p.file === file, 10_000, since);
    await eventually(async () => expect(copiesOf(await listSkills(ws), "hot-skill")[0]!.description).toBe("Second description, longer."));

    // The agent's workspace is watched too: its copy shadows the root's, and removing it hands back.
    since = kernel.mark();
    const agentFile = installSkill(ws.staging, agentSkillsDir(ws), "hot-skill", { description: "The agent's copy." });
    const agentAdded = await kernel.waitForEvent("skill.added", (p) => p.file === agentFile, 10_000, since);
    expect(agentAdded.payload).toEqual({ name: "hot-skill", source: "agent", agentId: "main", file: agentFile });
    expect(await names()).toEqual(expect.arrayContaining(["hot-skill:agent:available", "hot-skill:root:shadowed"]));
    since = kernel.mark();
    rmSync(dirname(agentFile), { recursive: true });
    await kernel.waitForEvent("skill.removed", (p) => p.file === agentFile, 10_000, since);
    await eventually(async () => expect(copiesOf(await listSkills(ws), "hot-skill").map((c) => `${c.source}:${c.status}`)).toEqual(["root:available"]));

    // A broken edit: listed invalid with its line.
    since = kernel.mark();
    writeFileSync(file, "---\nname: hot-skill\ndescription: [unclosed\n---\n\nBody\n");
    await kernel.waitForEvent("skill.changed", (p) => p.file === file, 10_000, since);
    await eventually(async () => {
      const copy = copiesOf(await listSkills(ws), "hot-skill")[0]!;
      expect(copy.status).toBe("invalid");
      expect(copy.errors[0]).toMatchObject({ file, line: 3 });
    });

    since = kernel.mark();
    rmSync(dirname(file), { recursive: true });
    const removed = await kernel.waitForEvent("skill.removed", (p) => p.name === "hot-skill", 10_000, since);
    expect(removed.payload).toEqual({ name: "hot-skill", source: "root", file });
    await eventually(async () => expect(copiesOf(await listSkills(ws), "hot-skill")).toEqual([]));
    expect(kernel.exitInfo).toBeUndefined();
  });

  test("[skills] skills_dir changed while running: the new folder's skills are listed without a restart, the old one's are gone, and the new folder is watched", async () => {
    const ws = createWorkspace();
    writeSkill(rootSkillsDir(ws), "in-default");
    const otherDir = join(ws.root, "other-skills");
    const inOther = writeSkill(otherDir, "in-other");
    const kernel = await startReadyKernel(ws);
    expect(statusByName(await listSkills(ws))).toMatchObject({ "in-default": "available" });
    expect(statusByName(await listSkills(ws))["in-other"]).toBeUndefined();

    let since = kernel.mark();
    ws.writeConfig('[skills]\nskills_dir = "other-skills"\n');
    await kernel.waitForEvent("skill.added", (p) => p.name === "in-other", 10_000, since);
    await kernel.waitForEvent("skill.removed", (p) => p.name === "in-default", 10_000, since);
    const switched = await listSkills(ws);
    expect(copyAt(switched, inOther)).toMatchObject({ source: "root", status: "available" });
    expect(copiesOf(switched, "in-default")).toEqual([]);

    // The new folder is watched; the old one is no root any more.
    since = kernel.mark();
    writeSkill(rootSkillsDir(ws), "late-default");
    const later = installSkill(ws.staging, otherDir, "late-other");
    await kernel.waitForEvent("skill.added", (p) => p.file === later, 10_000, since);
    const now = await listSkills(ws);
    expect(copyAt(now, later).status).toBe("available");
    expect(copiesOf(now, "late-default")).toEqual([]);
    expect(kernel.eventsSince(since, "skill.added", (p) => p.name === "late-default")).toEqual([]);
  });

  test("a plugin installed while running brings its [contributes] skills, and its skills folder is watched", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    let since = kernel.mark();
    const staged = writeSkillsPlugin(join(ws.staging, "acme"), "acme");
    writeSkill(join(staged, "skills"), "acme-deploy", { description: "Acme's deploy skill." });
    renameSync(staged, join(ws.userDir, "acme"));
    const added = await kernel.waitForEvent("skill.added", (p) => p.name === "acme-deploy", 10_000, since);
    expect(added.payload).toMatchObject({ source: "plugin", file: join(ws.userDir, "acme", "skills", "acme-deploy", "SKILL.md") });
    expect(copiesOf(await listSkills(ws), "acme-deploy")[0]).toMatchObject({ source: "plugin", plugin: "acme", status: "available" });

    since = kernel.mark();
    const second = installSkill(ws.staging, join(ws.userDir, "acme", "skills"), "acme-rollback");
    await kernel.waitForEvent("skill.added", (p) => p.file === second, 10_000, since);
    expect(statusByName(await listSkills(ws))["acme-rollback"]).toBe("available");
  });

  test("an agent declared while running: the skills already in its workspace are listed, and its skills/ is watched", async () => {
    const ws = createWorkspace();
    const existing = writeSkill(agentSkillsDir(ws, "helper"), "helper-existing");
    const kernel = await startReadyKernel(ws);
    let since = kernel.mark();
    ws.writeConfig('[[agents]]\nid = "main"\n\n[[agents]]\nid = "helper"\n');
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("agents"), 10_000, since);
    // The workspace plugin knows the agent at once.
    expect((await runCliJson<{ id: string }[]>(ws, ["agents", "list", "--json"])).map((a) => a.id)).toEqual(["main", "helper"]);
    // The skill already in its workspace: listed for it (see the report: it was not, until some other change rescanned).
    await eventually(async () => expect(copyAt(await listSkills(ws, ["--agent", "helper"]), existing)).toMatchObject({ source: "agent", agentId: "helper", status: "available" }), 5_000);
    // A skill added afterwards is picked up by watching.
    since = kernel.mark();
    const added = installSkill(ws.staging, agentSkillsDir(ws, "helper"), "helper-added");
    await kernel.waitForEvent("skill.added", (p) => p.file === added, 5_000, since);
  });
});

describe("skills: authoring", () => {
  test("skills new creates a folder that skills check passes (in skills_dir, or an agent's workspace); bad names and existing folders are refused; through a running kernel it is listed at once", async () => {
    const ws = createWorkspace({ config: '[skills]\nskills_dir = "my-skills"\n' });
    const skills = join(ws.root, "my-skills");
    const made = await runCli(ws, ["skills", "new", "release-notes", "--description", "Draft release notes from the merged changes."]);
    const file = join(skills, "release-notes", "SKILL.md");
    expect(made).toMatchObject({ code: 0, stdout: `Created ${file}\nFill in its description and steps, then: aleph skills check ${dirname(file)}\n` });
    const check = await runCli(ws, ["skills", "check", dirname(file), "--strict"]);
    expect(check).toMatchObject({ code: 0, stdout: `ok      release-notes  ${dirname(file)}\n` });
    expect(copyAt(await listSkills(ws), file)).toMatchObject({ status: "available", description: "Draft release notes from the merged changes." });

    // Without --description: a placeholder that still passes.
    expect((await runCli(ws, ["skills", "new", "placeholder"])).code).toBe(0);
    expect((await runCli(ws, ["skills", "check", join(skills, "placeholder")])).code).toBe(0);
    // --agent: in that agent's workspace.
    expect((await runCli(ws, ["skills", "new", "mine", "--agent", "main"])).code).toBe(0);
    expect(copyAt(await listSkills(ws), join(agentSkillsDir(ws), "mine", "SKILL.md"))).toMatchObject({ source: "agent", status: "available" });

    for (const name of ["Bad_Name", "a--b", "trailing-", "../escape", "x".repeat(65)]) {
      const bad = await runCli(ws, ["skills", "new", name]);
      expect([1, 2], `${name}: ${bad.stderr}`).toContain(bad.code);
      expect(bad.stderr, name).toContain(`"${name}" is not a skill name`);
      expect(bad.stderr, name).toContain("lowercase letters, digits and single hyphens");
    }
    expect(existsSync(join(ws.root, "escape"))).toBe(false);
    expect(existsSync(join(skills, "Bad_Name"))).toBe(false);

    const before = readFileSync(file, "utf8");
    const again = await runCli(ws, ["skills", "new", "release-notes"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${dirname(file)} exists already`);
    expect(readFileSync(file, "utf8")).toBe(before);
    const noAgent = await runCli(ws, ["skills", "new", "orphan", "--agent", "nobody"]);
    expect(noAgent.code).toBe(1);
    expect(noAgent.stderr).toContain('no agent "nobody"');

    const kernel = await startReadyKernel(ws);
    const since = kernel.mark();
    expect((await runCli(ws, ["skills", "new", "live-skill"])).code).toBe(0);
    // The kernel rescanned before answering: no waiting for the watcher.
    expect(statusByName(await listSkills(ws))["live-skill"]).toBe("available");
    await kernel.waitForEvent("skill.added", (p) => p.name === "live-skill", 10_000, since);
  });
});

describe("skills: the index cache", () => {
  test("1,000 skills: a restart after changing 3 SKILL.md files and adding 1 reads exactly those 4", async () => {
    const ws = createWorkspace();
    const skills = rootSkillsDir(ws);
    const folder = (i: number) => `skill-${String(i).padStart(4, "0")}`;
    for (let i = 0; i < 1000; i++) writeSkill(skills, folder(i), { description: `Skill number ${i}: handles case ${i} of the batch.` });

    const cold = await startReadyKernel(ws);
    const coldReady = cold.seen("kernel.ready").payload.ms as number;
    const coldStats = await runCliJson<SkillsStats>(ws, ["skills", "stats", "--json"]);
    expect(coldStats).toMatchObject({ filesRead: 1002, indexed: 1002 }); // and the 2 bundled
    expect((await listSkills(ws)).skills.filter((s) => s.status === "available")).toHaveLength(1002);
    expect(await cold.stop()).toMatchObject({ code: 0 });

    const future = new Date(Date.now() + 60_000);
    for (const i of [7, 500, 999]) {
      const file = join(skills, folder(i), "SKILL.md");
      writeFileSync(file, skillText(folder(i), { description: `Changed: skill ${i} now does something else.` }));
      utimesSync(file, future, future);
    }
    writeSkill(skills, "skill-extra", { description: "Added while the kernel was stopped." });

    const warm = await startReadyKernel(ws);
    const warmReady = warm.seen("kernel.ready").payload.ms as number;
    const warmStats = await runCliJson<SkillsStats>(ws, ["skills", "stats", "--json"]);
    expect(warmStats.filesRead).toBe(4);
    expect(warmStats.indexed).toBeGreaterThanOrEqual(1000);
    expect(warmStats.indexed).toBe(1003);
    const list = await listSkills(ws);
    expect(list.skills.filter((s) => s.status !== "available").map((s) => `${s.name}: ${s.reasons.join("; ")}`)).toEqual([]);
    expect(copiesOf(list, folder(500))[0]!.description).toBe("Changed: skill 500 now does something else.");
    expect(copiesOf(list, folder(501))[0]!.description).toBe("Skill number 501: handles case 501 of the batch.");
    expect(statusByName(list)["skill-extra"]).toBe("available");
    expect(await warm.stop()).toMatchObject({ code: 0 });

    // Nothing changed since: nothing is read.
    const still = await startReadyKernel(ws);
    const stillReady = still.seen("kernel.ready").payload.ms as number;
    const stillStats = await runCliJson<SkillsStats>(ws, ["skills", "stats", "--json"]);
    expect(stillStats).toMatchObject({ filesRead: 0, indexed: 1003 });
    console.log(
      `[skills e2e] 1,000 skills — kernel.ready: cold ${coldReady} ms (index build ${coldStats.buildMs} ms, ${coldStats.filesRead} read); ` +
        `after 3 changed + 1 added ${warmReady} ms (build ${warmStats.buildMs} ms, ${warmStats.filesRead} read); unchanged ${stillReady} ms (build ${stillStats.buildMs} ms, ${stillStats.filesRead} read)`,
    );
  }, 90_000);
});

describe("skills: [skills] enabled", () => {
  test("enabled = false: skills are still listed with their statuses, skill_read is not offered; turning it on while running offers it again, and off withdraws it", async () => {
    const ws = createWorkspace({ config: "[skills]\nenabled = false\n" });
    writeSkill(rootSkillsDir(ws), "still-listed", { body: "STILL LISTED BODY" });
    writeSkill(rootSkillsDir(ws), "gated-off", { extra: "requires:\n  env: [SKILLS_E2E_NEVER_SET]" });
    const tools = async () => (await runCliJson<{ name: string; plugin: string }[]>(ws, ["tools", "list", "--json"])).filter((t) => t.plugin === "skills").map((t) => t.name);
    const expected = { "still-listed": "available", "gated-off": "unavailable", "git-commit": "available", "skill-creator": "available" };

    expect(statusByName(await listSkills(ws))).toMatchObject(expected);
    expect(await tools()).toEqual([]);

    const kernel = await startReadyKernel(ws);
    expect(statusByName(await listSkills(ws))).toMatchObject(expected);
    expect(await tools()).toEqual([]);

    let since = kernel.mark();
    ws.writeConfig("[skills]\nenabled = true\n");
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("skills"), 10_000, since);
    await eventually(async () => expect(await tools()).toEqual(["skill_read"]));
    const read = await runCli(ws, ["tools", "call", "skill_read", '{"name":"still-listed"}']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain("STILL LISTED BODY");
    expect(statusByName(await listSkills(ws))).toMatchObject(expected);

    since = kernel.mark();
    ws.writeConfig("[skills]\nenabled = false\n");
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("skills"), 10_000, since);
    await eventually(async () => expect(await tools()).toEqual([]));
    expect(kernel.exitInfo).toBeUndefined();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
