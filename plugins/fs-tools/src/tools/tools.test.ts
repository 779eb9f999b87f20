import { chmod, mkdir, mkdtemp, readFile as readText, realpath, rm, stat, symlink, writeFile as writeText } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "@aleph/plugin-sdk";
import { createFsToolsEnv, type FsToolsEnv } from "../tool-env.js";
import { editFile } from "./edit-file.js";
import { globFiles } from "./glob-files.js";
import { grep } from "./grep.js";
import { listDir } from "./list-dir.js";
import { readFile } from "./read-file.js";
import { writeFile } from "./write-file.js";

let base: string;
let root: string;
let workspace: string;
let granted: string;
let outside: string;
let env: FsToolsEnv;
let maxReadBytes = 256 * 1024;
const me = { agentId: "main", sessionKey: "agent:main:test" };

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "fs-tools-")));
  root = join(base, "root");
  workspace = join(base, "ws");
  granted = join(base, "granted");
  outside = join(base, "outside");
  for (const dir of [root, workspace, granted, outside]) await mkdir(dir, { recursive: true });
  maxReadBytes = 256 * 1024;
  env = createFsToolsEnv({
    root,
    actor: "fs-tools",
    workspaceOf: (agent) => (agent === "main" ? workspace : undefined),
    roots: () => [granted],
    maxReadBytes: () => maxReadBytes,
  });
});
afterEach(() => rm(base, { recursive: true, force: true }));

const put = async (rel: string, content: string | Uint8Array) => {
  const file = join(workspace, rel);
  await mkdir(join(file, ".."), { recursive: true });
  await writeText(file, content);
  return file;
};

describe("read_file", () => {
  it("reads a whole file, or a line range, with line info", async () => {
    await put("notes.md", "one\ntwo\nthree\nfour\n");
    expect(await readFile(env, { path: "notes.md" }, me)).toEqual({ path: "notes.md", content: "one\ntwo\nthree\nfour", lines: { from: 1, to: 4, total: 4 }, truncated: false });
    expect(await readFile(env, { path: "notes.md", start_line: 2, end_line: 3 }, me)).toEqual({ path: "notes.md", content: "two\nthree", lines: { from: 2, to: 3 }, truncated: false });
    expect(await readFile(env, { path: "notes.md", start_line: 3 }, me)).toMatchObject({ content: "three\nfour", lines: { from: 3, to: 4, total: 4 } });
  });

  it("reads an empty file, and refuses a start past the end or a backwards range", async () => {
    await put("empty.txt", "");
    expect(await readFile(env, { path: "empty.txt" }, me)).toMatchObject({ content: "", lines: { from: 1, to: 0, total: 0 } });
    await put("two.txt", "a\nb");
    await expect(readFile(env, { path: "two.txt", start_line: 5 }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/past the end .*2 lines/) });
    await expect(readFile(env, { path: "two.txt", start_line: 2, end_line: 1 }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
  });

  it("splits lines the same way whether the file is read whole (within the cap) or streamed (over it)", async () => {
    const text = "one\r\ntwo\rthree\n\nfive\n";
    await put("ends.txt", text);
    const whole = await readFile(env, { path: "ends.txt" }, me);
    expect(whole).toMatchObject({ content: "one\ntwo\nthree\n\nfive", lines: { from: 1, to: 5, total: 5 }, truncated: false });
    maxReadBytes = 1024;
    await put("ends-big.txt", text + "x".repeat(2000));
    const streamed = await readFile(env, { path: "ends-big.txt", end_line: 5 }, me);
    expect(streamed.content).toBe(whole.content);
    await put("nul-late.bin", "a".repeat(9000) + "\0");
    await expect(readFile(env, { path: "nul-late.bin" }, me)).resolves.toMatchObject({ truncated: true }); // NUL past the sniffed head of a big file
    await put("nul.bin", "ab\0cd");
    await expect(readFile(env, { path: "nul.bin" }, me)).rejects.toThrow(/binary file/);
  });

  it("cuts at max_read_bytes on a line, with a marker saying where to read on", async () => {
    maxReadBytes = 1024;
    await put("big.txt", Array.from({ length: 200 }, (_, i) => `line ${String(i + 1).padStart(3, "0")} ${"x".repeat(20)}`).join("\n"));
    const result = await readFile(env, { path: "big.txt" }, me);
    expect(result.truncated).toBe(true);
    expect(result.lines.total).toBeUndefined();
    expect(result.lines.to).toBe(34); // 34 lines of 30 bytes fit in 1024
    expect(result.content).toMatch(/\[… cut: read_file returns at most 1024 bytes \(\[tools\.fs\] max_read_bytes\); lines 1–34 shown; read on with start_line = 35\]$/);
    expect((await readFile(env, { path: "big.txt", start_line: 35, end_line: 36 }, me)).content).toBe(`line 035 ${"x".repeat(20)}\nline 036 ${"x".repeat(20)}`);
  });

  it("cuts a single line longer than the cap without splitting a character", async () => {
    maxReadBytes = 1024;
    await put("long.txt", "é".repeat(2000));
    const result = await readFile(env, { path: "long.txt" }, me);
    expect(result.truncated).toBe(true);
    expect(result.content.startsWith("é".repeat(512))).toBe(true);
    expect(result.content).not.toContain("\uFFFD");
  });

  it("refuses binary files, folders, missing files and paths outside", async () => {
    await put("image.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    await expect(readFile(env, { path: "image.png" }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/binary file/) });
    await mkdir(join(workspace, "dir"));
    await expect(readFile(env, { path: "dir" }, me)).rejects.toMatchObject({ message: expect.stringMatching(/is a folder/) });
    await expect(readFile(env, { path: "nope.txt" }, me)).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await writeText(join(outside, "secret.txt"), "s");
    await expect(readFile(env, { path: "../outside/secret.txt" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await symlink(join(outside, "secret.txt"), join(workspace, "link.txt"));
    await expect(readFile(env, { path: "link.txt" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("reads in a granted root by absolute path, and refuses an undeclared agent", async () => {
    await writeText(join(granted, "shared.txt"), "shared");
    expect(await readFile(env, { path: join(granted, "shared.txt") }, me)).toMatchObject({ path: join(granted, "shared.txt"), content: "shared" });
    await expect(readFile(env, { path: "x" }, { agentId: "ghost" })).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: expect.stringMatching(/agent "ghost" is not declared/) });
  });
});

describe("write_file", () => {
  it("creates a file and its folders (0644), and audits it with agent, session and bytes", async () => {
    expect(await writeFile(env, { path: "a/b/new.txt", content: "héllo" }, me)).toEqual({ path: "a/b/new.txt", bytes: 6, created: true });
    const file = join(workspace, "a", "b", "new.txt");
    expect(await readText(file, "utf8")).toBe("héllo");
    expect((await stat(file)).mode & 0o777).toBe(0o644 & ~process.umask());
    const { records } = readAudit(root);
    expect(records).toEqual([
      expect.objectContaining({ actor: "fs-tools", action: "fs.write_file", target: file, ok: true, agent: "main", session: "agent:main:test", tool: "write_file", bytes: 6 }),
    ]);
  });

  it("replaces a file atomically, keeping its mode", async () => {
    const file = await put("run.sh", "echo old\n");
    await chmod(file, 0o755);
    expect(await writeFile(env, { path: "run.sh", content: "echo new\n" }, me)).toMatchObject({ created: false });
    expect(await readText(file, "utf8")).toBe("echo new\n");
    expect((await stat(file)).mode & 0o777).toBe(0o755);
  });

  it("refuses to write outside, through a symlinked folder, and audits the refusal", async () => {
    await symlink(outside, join(workspace, "out"));
    await expect(writeFile(env, { path: "out/new/evil.txt", content: "x" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(writeFile(env, { path: join(outside, "evil.txt"), content: "x" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(stat(join(outside, "new"))).rejects.toMatchObject({ code: "ENOENT" });
    const { records } = readAudit(root);
    expect(records.map((r) => [r.action, r.ok, r.error?.startsWith("ALEPH_E_UNSAFE_PATH")])).toEqual([
      ["fs.write_file", false, true],
      ["fs.write_file", false, true],
    ]);
  });

  it("writes in a granted root, and refuses a folder as the target", async () => {
    expect(await writeFile(env, { path: join(granted, "sub", "g.txt"), content: "g" }, me)).toMatchObject({ path: join(granted, "sub", "g.txt"), created: true });
    await mkdir(join(workspace, "dir"));
    await expect(writeFile(env, { path: "dir", content: "x" }, me)).rejects.toMatchObject({ message: expect.stringMatching(/is a folder/) });
  });
});

describe("edit_file", () => {
  it("replaces the one occurrence literally and audits it", async () => {
    const file = await put("src/app.ts", "const a = 1;\nconst b = 2;\nconst c = 3;\n");
    expect(await editFile(env, { path: "src/app.ts", old_text: "const b = 2;", new_text: "const b = '$&';" }, me)).toEqual({ path: "src/app.ts", line: 2, bytes: 42 });
    expect(await readText(file, "utf8")).toBe("const a = 1;\nconst b = '$&';\nconst c = 3;\n");
    expect(readAudit(root).records).toEqual([expect.objectContaining({ action: "fs.edit_file", target: file, ok: true, tool: "edit_file", bytes: 42 })]);
  });

  it("says when old_text is not found, showing the lines that contain its first line", async () => {
    await put("src/app.ts", "function add(a, b) {\n  return a + b;\n}\n\nfunction add2(a, b) {\n  return a+b;\n}\n");
    const error = await editFile(env, { path: "src/app.ts", old_text: "  return a + b; \n}", new_text: "x" }, me).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ALEPH_E_NOT_FOUND", fix: expect.stringMatching(/read_file/) });
    expect((error as Error).message).toBe('old_text was not found in src/app.ts. Lines containing its first line ("return a + b;"):\n  line 2:   return a + b;');
    const none = await editFile(env, { path: "src/app.ts", old_text: "nothing like it", new_text: "x" }, me).catch((e: Error) => e.message);
    expect(none).toMatch(/No line contains its first line either/);
    expect(readAudit(root).records.map((r) => r.ok)).toEqual([false, false]);
  });

  it("mentions CRLF line ends when that is why", async () => {
    await put("win.txt", "a\r\nb\r\n");
    await expect(editFile(env, { path: "win.txt", old_text: "a\nb", new_text: "x" }, me)).rejects.toThrow(/CRLF/);
  });

  it("lists the line of every occurrence when old_text is not unique", async () => {
    const file = await put("dup.txt", "x = 1\ny = 2\nx = 1\nz\nx = 1\n");
    await expect(editFile(env, { path: "dup.txt", old_text: "x = 1", new_text: "x = 9" }, me)).rejects.toMatchObject({
      code: "ALEPH_E_CONFLICT",
      message: "old_text occurs 3 times in dup.txt, starting on lines 1, 3, 5; it must occur exactly once",
    });
    await expect(editFile(env, { path: "dup.txt", old_text: "", new_text: "x" }, me)).rejects.toMatchObject({ message: "old_text is empty" });
    expect(await readText(file, "utf8")).toBe("x = 1\ny = 2\nx = 1\nz\nx = 1\n");
  });

  it("refuses a missing file, a binary one, and one outside", async () => {
    await expect(editFile(env, { path: "none.txt", old_text: "a", new_text: "b" }, me)).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await put("bin.dat", new Uint8Array([1, 0, 2]));
    await expect(editFile(env, { path: "bin.dat", old_text: "a", new_text: "b" }, me)).rejects.toThrow(/binary/);
    await writeText(join(outside, "o.txt"), "a");
    await symlink(join(outside, "o.txt"), join(workspace, "o.txt"));
    await expect(editFile(env, { path: "o.txt", old_text: "a", new_text: "b" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    expect(await readText(join(outside, "o.txt"), "utf8")).toBe("a");
  });
});

describe("list_dir", () => {
  it("lists entries by name with type and file size, links not followed", async () => {
    await put("b.txt", "12345");
    await put("a/inner.txt", "x");
    await symlink(outside, join(workspace, "c-link"));
    expect(await listDir(env, {}, me)).toEqual({
      path: ".",
      entries: [
        { name: "a", type: "dir" },
        { name: "b.txt", type: "file", size: 5 },
        { name: "c-link", type: "link" },
      ],
      truncated: false,
    });
    expect((await listDir(env, { path: "a" }, me)).entries).toEqual([{ name: "inner.txt", type: "file", size: 1 }]);
  });

  it("refuses a file, a missing folder, and a folder reached through a link out", async () => {
    await put("f.txt", "x");
    await expect(listDir(env, { path: "f.txt" }, me)).rejects.toMatchObject({ message: expect.stringMatching(/is a file, not a folder/) });
    await expect(listDir(env, { path: "missing" }, me)).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await symlink(outside, join(workspace, "out"));
    await expect(listDir(env, { path: "out" }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });
});

describe("glob", () => {
  beforeEach(async () => {
    await put("README.md", "r");
    await put("src/a.ts", "a");
    await put("src/b.js", "b");
    await put("src/deep/c.ts", "c");
    await put("node_modules/pkg/index.ts", "n");
    await put(".git/HEAD", "h");
  });

  it("matches under the workspace, skipping node_modules and .git", async () => {
    expect(await globFiles(env, { pattern: "**/*.ts" }, me)).toEqual({ path: ".", matches: ["src/a.ts", "src/deep/c.ts"], truncated: false });
    expect((await globFiles(env, { pattern: "*" }, me)).matches).toEqual([".git/", "README.md", "node_modules/", "src/"]);
    expect((await globFiles(env, { pattern: "src/*.{ts,js}" }, me)).matches).toEqual(["src/a.ts", "src/b.js"]);
  });

  it("searches a given folder, relative to it", async () => {
    expect(await globFiles(env, { pattern: "**/*.ts", path: "src/deep" }, me)).toEqual({ path: "src/deep", matches: ["c.ts"], truncated: false });
  });

  it("does not follow a link to a folder, even one inside", async () => {
    await symlink(join(workspace, "src"), join(workspace, "alias"));
    await symlink(outside, join(workspace, "out"));
    await writeText(join(outside, "x.ts"), "x");
    expect((await globFiles(env, { pattern: "**/*.ts" }, me)).matches).toEqual(["src/a.ts", "src/deep/c.ts"]);
  });

  it("refuses patterns that climb or are absolute, and folders outside", async () => {
    await expect(globFiles(env, { pattern: "../**" }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(globFiles(env, { pattern: "/etc/*" }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    await expect(globFiles(env, { pattern: "*", path: outside }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("caps the results", async () => {
    for (let i = 0; i < 1005; i++) await put(`many/f${i}.txt`, "");
    const result = await globFiles(env, { pattern: "many/*.txt" }, me);
    expect(result.matches).toHaveLength(1000);
    expect(result.truncated).toBe(true);
  });
});

describe("grep", () => {
  beforeEach(async () => {
    await put("src/a.ts", "export function add(a: number) {\n  return a;\n}\n");
    await put("src/b.md", "# Add things\nfunction in prose\n");
    await put("src/bin.dat", new Uint8Array([0x66, 0x75, 0x6e, 0x00, 0x63]));
    await put("node_modules/x/index.js", "function hidden() {}\n");
  });

  it("returns file:line:text for matches, skipping binary files and node_modules", async () => {
    expect(await grep(env, { pattern: "function \\w+\\(" }, me)).toEqual({ matches: ["src/a.ts:1:export function add(a: number) {"], files_searched: 2, files_skipped: 1, truncated: false });
    expect((await grep(env, { pattern: "^function" }, me)).matches).toEqual(["src/b.md:2:function in prose"]);
  });

  it("filters by glob (a name glob without /), searches one file, and ignores case when asked", async () => {
    expect((await grep(env, { pattern: "function", glob: "*.md" }, me)).matches).toEqual(["src/b.md:2:function in prose"]);
    expect((await grep(env, { pattern: "function", glob: "src/*.ts" }, me)).matches).toEqual(["src/a.ts:1:export function add(a: number) {"]);
    expect((await grep(env, { pattern: "return", path: "src/a.ts" }, me)).matches).toEqual(["src/a.ts:2:  return a;"]);
    expect((await grep(env, { pattern: "add", ignore_case: true, path: "src" }, me)).matches).toEqual(["src/a.ts:1:export function add(a: number) {", "src/b.md:1:# Add things"]);
  });

  it("refuses an invalid regular expression clearly", async () => {
    await expect(grep(env, { pattern: "fn(" }, me)).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/"fn\(" is not a valid JavaScript regular expression/) });
  });

  it("searches a linked file only when it leads inside", async () => {
    await writeText(join(outside, "secret.ts"), "function secret() {}\n");
    await symlink(join(outside, "secret.ts"), join(workspace, "secret-link.ts"));
    await symlink(join(workspace, "src", "a.ts"), join(workspace, "inner-link.ts"));
    const result = await grep(env, { pattern: "function", glob: "*.ts" }, me);
    expect(result.matches).toEqual(["inner-link.ts:1:export function add(a: number) {", "src/a.ts:1:export function add(a: number) {"]);
    expect(result.files_skipped).toBe(1);
    await expect(grep(env, { pattern: "x", path: outside }, me)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("caps the matches and cuts long lines", async () => {
    await put("many.txt", Array.from({ length: 300 }, () => `hit ${"y".repeat(500)}`).join("\n"));
    const result = await grep(env, { pattern: "^hit", path: "many.txt" }, me);
    expect(result.matches).toHaveLength(200);
    expect(result.truncated).toBe(true);
    expect(result.matches[0]).toBe(`many.txt:1:hit ${"y".repeat(396)}…`);
  });
});
