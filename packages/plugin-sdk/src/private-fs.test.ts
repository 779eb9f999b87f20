import { chmodSync, lstatSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.js";
import { audit, auditFile } from "./audit.js";
import { appendJsonLine } from "./jsonl.js";
import { makePrivateSync, mkdirPrivate, mkdirPrivateSync } from "./private-fs.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;
const dir = () => mkdtempSync(join(tmpdir(), "aleph-private-"));

describe("private files and directories", () => {
  // The most permissive umask: whatever is private here is private under any umask.
  let saved: number;
  beforeAll(() => {
    saved = process.umask(0);
  });
  afterAll(() => {
    process.umask(saved);
  });

  it("atomic writes create files 0600 unless told otherwise", async () => {
    const d = dir();
    await writeFileAtomic(join(d, "a.json"), "{}");
    writeFileAtomicSync(join(d, "b.json"), "{}");
    await writeFileAtomic(join(d, "c.txt"), "x", { mode: 0o640 });
    expect([modeOf(join(d, "a.json")), modeOf(join(d, "b.json")), modeOf(join(d, "c.txt"))]).toEqual([0o600, 0o600, 0o640]);
  });

  it("JSONL appends and the audit log create files 0600 and the audit directory 0700", () => {
    const d = dir();
    appendJsonLine(join(d, "s.jsonl"), { a: 1 });
    audit(d, { actor: "cli", action: "test.run", target: "x", ok: true });
    expect(modeOf(join(d, "s.jsonl"))).toBe(0o600);
    expect(modeOf(join(d, "audit"))).toBe(0o700);
    expect(modeOf(auditFile(d))).toBe(0o600);
  });

  it("mkdirPrivate creates every missing level 0700 and leaves an existing directory's mode alone", async () => {
    const d = dir();
    expect(mkdirPrivateSync(join(d, "a", "b"))).toBe(join(d, "a"));
    await mkdirPrivate(join(d, "c", "d"));
    for (const p of ["a", "a/b", "c", "c/d"]) expect(modeOf(join(d, p)), p).toBe(0o700);
    mkdirSync(join(d, "open"), { mode: 0o755 });
    expect(mkdirPrivateSync(join(d, "open"))).toBeUndefined();
    expect(modeOf(join(d, "open"))).toBe(0o755);
  });

  it("makePrivateSync removes group and other bits, keeps the owner's, and never follows a link", () => {
    const d = dir();
    writeFileSync(join(d, "script"), "#!/bin/sh\n");
    chmodSync(join(d, "script"), 0o755);
    makePrivateSync(join(d, "script"));
    expect(modeOf(join(d, "script"))).toBe(0o700);
    writeFileSync(join(d, "target"), "x");
    chmodSync(join(d, "target"), 0o644);
    symlinkSync(join(d, "target"), join(d, "link"));
    makePrivateSync(join(d, "link"));
    expect(modeOf(join(d, "target"))).toBe(0o644);
    expect(lstatSync(join(d, "link")).isSymbolicLink()).toBe(true);
  });
});
