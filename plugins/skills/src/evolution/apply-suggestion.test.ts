import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applySkillFile, backupName, copySkillFolder } from "./apply-suggestion.js";

const temp = () => mkdtempSync(join(tmpdir(), "aleph-apply-"));
const AT = new Date(2026, 2, 5, 9, 7, 3); // local time, as backups are named

describe("applySkillFile", () => {
  it("keeps the old file as SKILL.md.<stamp>.bak and writes the new one in one step, leaving no temp file", async () => {
    const dir = join(temp(), "pdf");
    mkdirSync(dir);
    const target = join(dir, "SKILL.md");
    writeFileSync(target, "old\n", { mode: 0o644 });
    const before = statSync(target).ino;
    const { backupFile } = await applySkillFile(target, "new\n", AT);
    expect(backupFile).toBe(join(dir, "SKILL.md.20260305-090703.bak"));
    expect(readFileSync(backupFile!, "utf8")).toBe("old\n");
    expect(readFileSync(target, "utf8")).toBe("new\n");
    expect(statSync(target).mode & 0o777).toBe(0o644); // its permissions kept
    expect(statSync(target).ino).not.toBe(before); // renamed into place, not rewritten where a reader could see half
    expect(readdirSync(dir).sort()).toEqual(["SKILL.md", "SKILL.md.20260305-090703.bak"]);
  });

  it("never overwrites a backup: a second one in the same second gets a suffix", async () => {
    const dir = temp();
    const target = join(dir, "SKILL.md");
    writeFileSync(target, "v1");
    const first = await applySkillFile(target, "v2", AT.getTime());
    const second = await applySkillFile(target, "v3", AT.getTime());
    expect(second.backupFile).toBe(backupName(target, AT, 2));
    expect(second.backupFile).toMatch(/SKILL\.md\.20260305-090703-2\.bak$/);
    expect(readFileSync(first.backupFile!, "utf8")).toBe("v1");
    expect(readFileSync(second.backupFile!, "utf8")).toBe("v2");
    expect(readFileSync(target, "utf8")).toBe("v3");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("creates the file and its folder when there is none, privately, with no backup", async () => {
    const target = join(temp(), "skills", "new-skill", "SKILL.md");
    expect(await applySkillFile(target, "hello\n")).toEqual({ backupFile: null });
    expect(readFileSync(target, "utf8")).toBe("hello\n");
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("makes a read-only file writable by its owner, and refuses a folder in the file's place", async () => {
    const dir = temp();
    const target = join(dir, "SKILL.md");
    writeFileSync(target, "old");
    chmodSync(target, 0o444);
    await applySkillFile(target, "new", AT);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    const folder = join(dir, "x");
    mkdirSync(folder);
    await expect(applySkillFile(folder, "new")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });
});

describe("copySkillFolder", () => {
  it("copies the files and folders, not symbolic links, keeping scripts executable", async () => {
    const root = temp();
    const from = join(root, "bundled", "pdf");
    mkdirSync(join(from, "scripts"), { recursive: true });
    mkdirSync(join(from, "references", "deep"), { recursive: true });
    mkdirSync(join(from, "assets"));
    writeFileSync(join(from, "SKILL.md"), "---\nname: pdf\n---\n", { mode: 0o444 });
    writeFileSync(join(from, "scripts", "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(from, "references", "deep", "api.md"), "api");
    writeFileSync(join(root, "secret"), "outside");
    symlinkSync(join(root, "secret"), join(from, "references", "leak.md"));
    symlinkSync(root, join(from, "assets", "up"));

    const to = join(root, "user", "skills", "pdf");
    const result = await copySkillFolder(from, to);
    expect(result.files.sort()).toEqual(["SKILL.md", "references/deep/api.md", "scripts/run.sh"]);
    expect(result.skipped.sort()).toEqual(["assets/up", "references/leak.md"]);
    expect(readFileSync(join(to, "SKILL.md"), "utf8")).toBe("---\nname: pdf\n---\n");
    expect(readFileSync(join(to, "references", "deep", "api.md"), "utf8")).toBe("api");
    expect(statSync(join(to, "scripts", "run.sh")).mode & 0o777).toBe(0o755);
    expect(statSync(join(to, "SKILL.md")).mode & 0o600).toBe(0o600); // the user can now edit it
    expect(readdirSync(join(to, "assets"))).toEqual([]);
    expect(readdirSync(join(root, "user", "skills"))).toEqual(["pdf"]); // no temp folder left

    // Then the suggestion goes over the copy, never the original.
    await applySkillFile(join(to, "SKILL.md"), "---\nname: pdf\ndescription: better\n---\n", AT);
    expect(readFileSync(join(from, "SKILL.md"), "utf8")).toBe("---\nname: pdf\n---\n");
  });

  it("refuses a destination that exists, and a source that is not a folder", async () => {
    const root = temp();
    const from = join(root, "a");
    mkdirSync(from);
    writeFileSync(join(from, "SKILL.md"), "x");
    const to = join(root, "b");
    mkdirSync(to);
    await expect(copySkillFolder(from, to)).rejects.toMatchObject({ code: "ALEPH_E_DUPLICATE", file: to });
    expect(readdirSync(to)).toEqual([]);
    await expect(copySkillFolder(join(root, "missing"), join(root, "c"))).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await expect(copySkillFolder(join(from, "SKILL.md"), join(root, "c"))).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    expect(readdirSync(root).sort()).toEqual(["a", "b"]);
  });
});
