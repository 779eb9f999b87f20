import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathGuard } from "./guard.js";

let base: string;
let workspace: string;
let outside: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "fs-guard-")));
  workspace = join(base, "ws");
  outside = join(base, "outside");
  await mkdir(join(workspace, "src"), { recursive: true });
  await mkdir(outside);
  await writeFile(join(workspace, "src", "a.txt"), "a");
  await writeFile(join(outside, "secret.txt"), "s");
});
afterEach(() => rm(base, { recursive: true, force: true }));

describe("PathGuard", () => {
  it("resolves relative paths against the workspace and names them relative to it", async () => {
    const guard = new PathGuard(workspace);
    expect(await guard.resolve("src/a.txt")).toEqual({ real: join(workspace, "src", "a.txt"), exists: true, display: "src/a.txt" });
    expect((await guard.resolve("")).display).toBe(".");
    expect((await guard.resolve("src/../src/./a.txt")).display).toBe("src/a.txt");
    expect((await guard.resolve("..new.txt")).display).toBe("..new.txt");
  });

  it("refuses .. that climbs out, with a message the model can act on", async () => {
    const guard = new PathGuard(workspace);
    await expect(guard.resolve("../outside/secret.txt")).rejects.toMatchObject({
      code: "ALEPH_E_UNSAFE_PATH",
      message: expect.stringMatching(/outside the agent's workspace .*\[tools\.fs\] roots/),
    });
  });

  it("takes absolute paths inside the workspace and refuses them outside", async () => {
    const guard = new PathGuard(workspace);
    expect((await guard.resolve(join(workspace, "src", "a.txt"))).display).toBe("src/a.txt");
    await expect(guard.resolve(join(outside, "secret.txt"))).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(guard.resolve("/etc/passwd")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("refuses a sibling whose name starts like the workspace's", async () => {
    await mkdir(`${workspace}-evil`);
    await expect(new PathGuard(workspace).resolve(`${workspace}-evil`)).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("refuses a symbolic link that leads out, saying where it leads", async () => {
    await symlink(join(outside, "secret.txt"), join(workspace, "link.txt"));
    await symlink(outside, join(workspace, "out"));
    const guard = new PathGuard(workspace);
    await expect(guard.resolve("link.txt")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH", message: expect.stringContaining(join(outside, "secret.txt")) });
    await expect(guard.resolve("out/secret.txt")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("refuses a new file under a symlinked folder that leads out", async () => {
    await symlink(outside, join(workspace, "out"));
    await expect(new PathGuard(workspace).resolve("out/new/deeper.txt")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("follows a symbolic link that stays inside, to its real path", async () => {
    await symlink(join(workspace, "src"), join(workspace, "alias"));
    const target = await new PathGuard(workspace).resolve("alias/a.txt");
    expect(target).toEqual({ real: join(workspace, "src", "a.txt"), exists: true, display: "src/a.txt" });
  });

  it("lets a symbolic link lead into a granted root", async () => {
    await symlink(outside, join(workspace, "out"));
    const guard = new PathGuard(workspace, [outside]);
    expect(await guard.resolve("out/secret.txt")).toMatchObject({ real: join(outside, "secret.txt"), display: join(outside, "secret.txt") });
    expect((await guard.resolve(join(outside, "new.txt"))).exists).toBe(false);
  });

  it("accepts a workspace reached through a symbolic link (a linked home folder)", async () => {
    await symlink(workspace, join(base, "ws-link"));
    const guard = new PathGuard(join(base, "ws-link"));
    expect(await guard.resolve("src/a.txt")).toMatchObject({ real: join(workspace, "src", "a.txt"), display: "src/a.txt" });
  });

  it("resolves a path to be created from its nearest existing ancestor", async () => {
    expect(await new PathGuard(workspace).resolve("new/dir/file.txt")).toEqual({ real: join(workspace, "new", "dir", "file.txt"), exists: false, display: "new/dir/file.txt" });
  });

  it("refuses a path through a broken link, and one through a file", async () => {
    await symlink(join(outside, "missing"), join(workspace, "dangling"));
    const guard = new PathGuard(workspace);
    await expect(guard.resolve("dangling")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH", message: expect.stringMatching(/broken links/) });
    await expect(guard.resolve("dangling/x.txt")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(guard.resolve("src/a.txt/x")).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/is a file, not a folder/) });
  });

  it("grants nothing for a root that does not exist", async () => {
    await expect(new PathGuard(workspace, [join(base, "nope")]).resolve(join(base, "nope", "x"))).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });
});
