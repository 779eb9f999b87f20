// [permissions] allowed_paths: a WASM guest reaches files only through aleph_fs_*, only inside its
// grants, and never through a symbolic link — one already in the directory, one made later, or
// one the guest asks WASI to make. WASI itself sees no directory at all.
import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { fileTool, fileTools, writePlugin } from "./fixtures.js";
import { startKernel, teardownAfterEachTest, testRoot, type Harness } from "./harness.js";

teardownAfterEachTest();

let t: ReturnType<typeof testRoot>;
/** The host directory granted as /data. */
let granted: string;
/** A directory outside every grant, with a secret in it. */
let outside: string;

beforeEach(async () => {
  t = testRoot();
  granted = join(t.root, "data", "files", "files");
  const wasm = await fileTool();
  // Foreground (no timeout_ms) and worker mode (timeout_ms): host functions differ between the two.
  // "files" is granted <its data dir>/files (relative), "wfiles" the same directory by absolute path.
  writePlugin(t.plugins, { id: "files", allowedPaths: { files: "/data" }, optional: ["tools"], tools: fileTools("f") }, wasm);
  writePlugin(t.plugins, { id: "wfiles", timeoutMs: 5000, allowedPaths: { [granted]: "/data" }, optional: ["tools"], tools: fileTools("w") }, wasm);
  writePlugin(t.plugins, { id: "nofiles", optional: ["tools"], tools: fileTools("n") }, wasm);
  mkdirSync(join(granted, "sub"), { recursive: true });
  writeFileSync(join(granted, "hello.json"), '{"greeting":"from the granted dir"}');
  writeFileSync(join(granted, "sub", "inner.txt"), "inner");
  writeFileSync(join(t.root, "data", "files", "secret.json"), '{"secret":"the data dir, outside the grant"}');
  outside = join(t.root, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "outside secret");
});

const refused = (code: string) => ({ ok: false, code, error: expect.any(String) });

async function kernel(): Promise<Harness> {
  return startKernel(t.root);
}

describe("inside a grant", () => {
  it("reads, writes, appends, lists, stats, makes directories and removes, in foreground and worker mode", async () => {
    const h = await kernel();
    for (const p of ["f", "w"]) {
      expect(await h.call(`${p}_fs_read`, { path: "/data/hello.json" })).toEqual({ ok: true, content: '{"greeting":"from the granted dir"}', size: 35 });
      expect(await h.call(`${p}_fs_read`, { path: "/data/sub/inner.txt", offset: 1, length: 3 })).toEqual({ ok: true, content: "nne", size: 5 });
      expect(await h.call(`${p}_fs_read`, { path: "/data/hello.json", encoding: "base64", length: 4 })).toEqual({ ok: true, content: Buffer.from('{"gr').toString("base64"), size: 35 });
      expect(await h.call(`${p}_fs_mkdir`, { path: `/data/made-${p}/deeper` })).toEqual({ ok: true });
      expect(await h.call(`${p}_fs_write`, { path: `/data/made-${p}/deeper/note.txt`, content: "one" })).toEqual({ ok: true, bytes: 3 });
      expect(await h.call(`${p}_fs_write`, { path: `/data/made-${p}/deeper/note.txt`, content: " two", append: true })).toEqual({ ok: true, bytes: 4 });
      expect(readFileSync(join(granted, `made-${p}`, "deeper", "note.txt"), "utf8")).toBe("one two");
      expect(await h.call(`${p}_fs_stat`, { path: `/data/made-${p}/deeper/note.txt` })).toMatchObject({ ok: true, type: "file", size: 7 });
      expect(await h.call(`${p}_fs_list`, { path: `/data/made-${p}` })).toEqual({ ok: true, entries: [{ name: "deeper", type: "dir", size: expect.any(Number) }] });
      expect(await h.call(`${p}_fs_remove`, { path: `/data/made-${p}/deeper/note.txt` })).toEqual({ ok: true });
      expect(await h.call(`${p}_fs_remove`, { path: `/data/made-${p}/deeper` })).toEqual({ ok: true });
      expect(existsSync(join(granted, `made-${p}`, "deeper"))).toBe(false);
    }
    expect(await h.call("f_fs_list", { path: "/data/" })).toMatchObject({ ok: true, entries: [{ name: "hello.json", type: "file" }, { name: "made-f", type: "dir" }, { name: "made-w", type: "dir" }, { name: "sub", type: "dir" }] });
    expect(await h.call("f_fs_stat", { path: "/data" })).toMatchObject({ ok: true, type: "dir" });
    expect(await h.call("f_fs_read", { path: "/data/missing.json" })).toEqual({ ok: false, code: "ENOENT", error: "/data/missing.json: no such file or directory" });
    expect(await h.call("f_fs_read", { path: "/data/sub" })).toEqual(refused("EISDIR"));
    expect(await h.call("f_fs_remove", { path: "/data" })).toEqual(refused("EPERM"));
    expect(await h.call("f_fs_read", "not an object")).toEqual(refused("EINVAL"));
  });
});

describe("outside every grant", () => {
  it("refuses `..` traversal, absolute paths elsewhere, relative paths and look-alike prefixes, and creates nothing there", async () => {
    const h = await kernel();
    for (const path of ["/data/../secret.json", "/data/sub/../../secret.json", "/data/../../../../outside/secret.txt", "/etc/passwd", "/", "/database/x", "/dat"]) {
      expect(await h.call("f_fs_read", { path }), path).toEqual(refused("EACCES"));
      expect(await h.call("w_fs_read", { path }), path).toEqual(refused("EACCES"));
    }
    for (const path of ["hello.json", "../secret.json", "", "/data/\u0000x"]) expect(await h.call("f_fs_read", { path }), path).toEqual(refused("EINVAL"));
    expect(await h.call("f_fs_read", { path: 42 })).toEqual(refused("EINVAL"));
    expect(await h.call("f_fs_write", { path: "/data/../escaped.json", content: "x" })).toEqual(refused("EACCES"));
    expect(await h.call("f_fs_mkdir", { path: "/data/../escaped-dir" })).toEqual(refused("EACCES"));
    expect(await h.call("f_fs_remove", { path: "/data/../secret.json" })).toEqual(refused("EACCES"));
    expect(existsSync(join(t.root, "data", "files", "escaped.json"))).toBe(false);
    expect(existsSync(join(t.root, "data", "files", "escaped-dir"))).toBe(false);
    expect(existsSync(join(t.root, "data", "files", "secret.json"))).toBe(true);
    // `..` that stays inside the grant is fine
    expect(await h.call("f_fs_read", { path: "/data/sub/../hello.json" })).toMatchObject({ ok: true });
    // no grant at all: nothing is reachable
    expect(await h.call("n_fs_read", { path: "/data/hello.json" })).toEqual({ ok: false, code: "EACCES", error: "/data/hello.json is outside allowed_paths (the plugin is granted no paths)" });
  });
});

describe("symbolic links", () => {
  it("a link already in the grant is never followed: to a file or directory outside, or to a file inside", async () => {
    symlinkSync(join(outside, "secret.txt"), join(granted, "file-link"));
    symlinkSync(outside, join(granted, "dir-link"));
    symlinkSync("../outside-relative", join(granted, "sub", "rel-link")); // dangling, relative
    symlinkSync(join(granted, "hello.json"), join(granted, "inner-link"));
    const h = await kernel();
    for (const p of ["f", "w"]) {
      expect(await h.call(`${p}_fs_read`, { path: "/data/file-link" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_read`, { path: "/data/dir-link/secret.txt" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_read`, { path: "/data/inner-link" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_list`, { path: "/data/dir-link" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_write`, { path: "/data/file-link", content: "overwritten" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_write`, { path: "/data/dir-link/planted.txt", content: "planted" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_write`, { path: "/data/sub/rel-link", content: "planted" })).toEqual(refused("ELOOP"));
      expect(await h.call(`${p}_fs_mkdir`, { path: "/data/dir-link/newdir" })).toEqual(refused("ELOOP"));
    }
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("outside secret");
    expect(existsSync(join(outside, "planted.txt"))).toBe(false);
    expect(existsSync(join(t.root, "data", "files", "outside-relative"))).toBe(false);
    expect(existsSync(join(outside, "newdir"))).toBe(false);
    // Listing and stat show a link as a link (without following it); removing it removes the link only.
    expect(await h.call("f_fs_stat", { path: "/data/dir-link" })).toMatchObject({ ok: true, type: "symlink" });
    expect(await h.call("f_fs_list", { path: "/data" })).toMatchObject({ ok: true, entries: expect.arrayContaining([{ name: "file-link", type: "symlink", size: expect.any(Number) }]) });
    expect(await h.call("f_fs_remove", { path: "/data/file-link" })).toEqual({ ok: true });
    expect(existsSync(join(granted, "file-link"))).toBe(false);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("outside secret");
  });

  it("a file with another hard link (the user's: the guest cannot make one) is readable but never written, truncated or appended to", async () => {
    linkSync(join(outside, "secret.txt"), join(granted, "hard.txt"));
    const h = await kernel();
    for (const p of ["f", "w"]) {
      expect(await h.call(`${p}_fs_read`, { path: "/data/hard.txt" })).toMatchObject({ ok: true, content: "outside secret" });
      expect(await h.call(`${p}_fs_write`, { path: "/data/hard.txt", content: "overwritten" })).toEqual(refused("EPERM"));
      expect(await h.call(`${p}_fs_write`, { path: "/data/hard.txt", content: "appended", append: true })).toEqual(refused("EPERM"));
    }
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("outside secret");
    // A plain file is still replaced whole (truncated after the check, not at open).
    expect(await h.call("f_fs_write", { path: "/data/hello.json", content: "{}" })).toEqual({ ok: true, bytes: 2 });
    expect(readFileSync(join(granted, "hello.json"), "utf8")).toBe("{}");
  });

  it("a directory replaced by a link after the plugin loaded is refused at the next access (every access resolves anew)", async () => {
    const h = await kernel();
    expect(await h.call("f_fs_read", { path: "/data/sub/inner.txt" })).toMatchObject({ ok: true, content: "inner" });
    renameSync(join(granted, "sub"), join(granted, "sub-old"));
    writeFileSync(join(outside, "inner.txt"), "outside, under the same name");
    symlinkSync(outside, join(granted, "sub"));
    expect(await h.call("f_fs_read", { path: "/data/sub/inner.txt" })).toEqual(refused("ELOOP"));
    expect(await h.call("w_fs_read", { path: "/data/sub/inner.txt" })).toEqual(refused("ELOOP"));
  });

  it("WASI sees no directory, granted or not: path_open and path_symlink fail (EBADF), so the guest can neither read nor make a link", async () => {
    const h = await kernel();
    for (const p of ["f", "w", "n"]) {
      expect(await h.call(`${p}_wasi_read`, "hello.json")).toEqual({ errno: 8 });
      expect(await h.call(`${p}_wasi_symlink`, join(outside, "secret.txt"))).toEqual({ errno: 8 });
      expect(await h.call(`${p}_wasi_symlink`, "../../../outside")).toEqual({ errno: 8 });
    }
    expect(() => lstatSync(join(granted, "made-by-guest"))).toThrow(/ENOENT/);
    expect(await h.call("f_fs_read", { path: "/data/made-by-guest" })).toEqual(refused("ENOENT"));
  });
});
