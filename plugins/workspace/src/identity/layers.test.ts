import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, parse as parsePath } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlephError } from "@aleph/plugin-sdk";
import { findProjectSoul, loadLayers } from "./layers.js";
import { MAX_SOUL_BYTES, readSoulFile } from "./read-soul-file.js";

const base = mkdtempSync(join(tmpdir(), "aleph-identity-layers-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(base, String(counter++));
  mkdirSync(dir, { recursive: true });
  return dir;
};
function write(file: string, content: string | Uint8Array) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}
async function readFailure(file: string, maxBytes?: number) {
  try {
    await readSoulFile(file, maxBytes);
  } catch (error) {
    if (!isAlephError(error)) throw error;
    return error;
  }
  throw new Error("expected readSoulFile to fail");
}
/** True when no directory from `dir` up to the filesystem root holds a .soul/identity.md. */
function noAncestorSoul(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".soul", "identity.md"))) return false;
    if (dirname(d) === d) return true;
  }
}

describe("findProjectSoul", () => {
  it("finds .soul/identity.md in the cwd itself", async () => {
    const project = fresh();
    write(join(project, ".soul", "identity.md"), "# Identity\nx");
    expect(await findProjectSoul(project)).toBe(join(project, ".soul", "identity.md"));
  });

  it("finds the nearest one walking up from a nested cwd", async () => {
    const outer = fresh();
    const inner = join(outer, "packages", "app");
    const cwd = join(inner, "src", "deep", "er");
    mkdirSync(cwd, { recursive: true });
    write(join(outer, ".soul", "identity.md"), "outer");
    expect(await findProjectSoul(cwd)).toBe(join(outer, ".soul", "identity.md"));
    write(join(inner, ".soul", "identity.md"), "inner");
    expect(await findProjectSoul(cwd)).toBe(join(inner, ".soul", "identity.md"));
  });

  it("returns undefined after checking up to the filesystem root, and from the root itself", async () => {
    const cwd = join(fresh(), "a", "b", "c");
    mkdirSync(cwd, { recursive: true });
    expect(noAncestorSoul(cwd)).toBe(true); // the precondition: nothing up there to find
    expect(await findProjectSoul(cwd)).toBeUndefined();
    expect(await findProjectSoul(parsePath(cwd).root)).toBeUndefined();
  });

  it("takes a cwd that does not exist (yet) and still walks up", async () => {
    const project = fresh();
    write(join(project, ".soul", "identity.md"), "x");
    expect(await findProjectSoul(join(project, "not", "there"))).toBe(join(project, ".soul", "identity.md"));
  });

  it("stops at a nearer .soul/identity.md that is not a file instead of using an outer project's", async () => {
    const outer = fresh();
    write(join(outer, ".soul", "identity.md"), "outer");
    const inner = join(outer, "inner");
    mkdirSync(join(inner, ".soul", "identity.md"), { recursive: true });
    expect(await findProjectSoul(inner)).toBe(join(inner, ".soul", "identity.md"));
  });

  it("ignores a .soul that is a file, not a directory, and goes on up", async () => {
    const outer = fresh();
    write(join(outer, ".soul", "identity.md"), "outer");
    write(join(outer, "inner", ".soul"), "a file");
    expect(await findProjectSoul(join(outer, "inner"))).toBe(join(outer, ".soul", "identity.md"));
  });
});

describe("readSoulFile", () => {
  it("returns undefined for a missing file or a missing parent", async () => {
    const dir = fresh();
    expect(await readSoulFile(join(dir, "soul.md"))).toBeUndefined();
    expect(await readSoulFile(join(dir, "no", "soul.md"))).toBeUndefined();
  });

  it("reads UTF-8 text, an empty file as an empty string", async () => {
    const dir = fresh();
    write(join(dir, "a.md"), "héllo ✓");
    write(join(dir, "empty.md"), "");
    expect(await readSoulFile(join(dir, "a.md"))).toBe("héllo ✓");
    expect(await readSoulFile(join(dir, "empty.md"))).toBe("");
  });

  it("refuses a file over the cap (256 KiB by default), saying the size", async () => {
    const file = join(fresh(), "big.md");
    write(file, "x".repeat(MAX_SOUL_BYTES + 1));
    const error = await readFailure(file);
    expect([error.code, error.file, error.message]).toEqual(["ALEPH_E_IDENTITY", file, `the soul file is ${MAX_SOUL_BYTES + 1} bytes, over the 262144-byte limit`]);
    write(file, "x".repeat(MAX_SOUL_BYTES));
    expect((await readSoulFile(file))!.length).toBe(MAX_SOUL_BYTES); // exactly at the cap is fine
    expect((await readFailure(file, 100)).message).toMatch(/over the 100-byte limit/);
  });

  it("refuses invalid UTF-8 with the line of the first bad byte", async () => {
    const dir = fresh();
    // The bad bytes follow 15 bytes on three lines (✓ is three bytes): line 4, offset 15.
    const cases: Array<[string, number[]]> = [
      ["stray continuation byte", [0x80]],
      ["0xff", [0xff, 0xfe]],
      ["truncated sequence", [0xe2, 0x82]],
      ["overlong encoding", [0xc0, 0xaf]],
      ["encoded surrogate", [0xed, 0xa0, 0x80]],
    ];
    for (const [name, bad] of cases) {
      const file = join(dir, `${name}.md`);
      write(file, Buffer.concat([Buffer.from("---\na: ✓\n---\n"), Buffer.from(bad), Buffer.from("\nmore\n")]));
      const error = await readFailure(file);
      expect([error.code, error.file, error.line, error.message], name).toEqual(["ALEPH_E_IDENTITY", file, 4, "the soul file is not valid UTF-8 (first bad byte at offset 15)"]);
    }
  });

  it("refuses a directory where a soul file should be", async () => {
    const dir = join(fresh(), "SOUL.md");
    mkdirSync(dir);
    expect((await readFailure(dir)).message).toBe("the soul path exists but is not a regular file");
  });

  it.skipIf(process.getuid?.() === 0)("reports a file it may not read", async () => {
    const file = join(fresh(), "soul.md");
    write(file, "x");
    chmodSync(file, 0o000);
    expect((await readFailure(file)).message).toMatch(/cannot read the soul file: .*EACCES/);
  });
});

describe("loadLayers", () => {
  it("reads the five layers highest first, with their paths, and reports absent ones", async () => {
    const root = fresh();
    const cwd = join(fresh(), "proj");
    mkdirSync(cwd, { recursive: true });
    write(join(root, "soul.md"), "# Identity\nglobal");
    const layers = await loadLayers({ root, agentId: "main", cwd, sessionKey: "agent:main:main" });
    expect(layers.map(({ layer, path, present }) => ({ layer, path, present }))).toEqual([
      { layer: "session", path: "session:agent:main:main", present: false },
      { layer: "project", path: join(cwd, ".soul", "identity.md"), present: false },
      { layer: "agent", path: join(root, "agents", "main", "workspace", "SOUL.md"), present: false },
      { layer: "global", path: join(root, "soul.md"), present: true },
      { layer: "default", path: "builtin:default", present: true },
    ]);
  });

  it("uses workspaceDir for the agent layer when given (ALEPH_WORKSPACE)", async () => {
    const root = fresh();
    const workspace = join(fresh(), "ws");
    write(join(workspace, "SOUL.md"), "# Identity\nagent");
    const layers = await loadLayers({ root, agentId: "main", cwd: root, workspaceDir: workspace });
    expect(layers[2]).toMatchObject({ layer: "agent", path: join(workspace, "SOUL.md"), present: true });
  });

  it("refuses an agent id that is not a safe path segment before touching the disk", async () => {
    for (const agentId of ["../etc", "a/b", "", ".."]) {
      await expect(loadLayers({ root: fresh(), agentId, cwd: base })).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
    }
  });

  it("caps the session override like a file and reports a non-string override", async () => {
    const root = fresh();
    const [big] = await loadLayers({ root, agentId: "main", cwd: root, sessionOverride: "é".repeat(60), maxBytes: 100, sessionKey: "s1" });
    expect(big).toMatchObject({ layer: "session", present: true, error: { code: "ALEPH_E_IDENTITY", file: "session:s1", message: "the soul file is 120 bytes, over the 100-byte limit" } });
    const [wrong] = await loadLayers({ root, agentId: "main", cwd: root, sessionOverride: 42 as unknown as string });
    expect(wrong).toMatchObject({ layer: "session", path: "session", present: true, error: { code: "ALEPH_E_IDENTITY" } });
    expect(wrong!.soul).toBeUndefined();
  });
});
