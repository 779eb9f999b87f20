import { mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveWorkingDir } from "./working-dir.js";

let base: string;
let workspace: string;
beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "shell-cwd-")));
  workspace = join(base, "ws");
  await mkdir(join(workspace, "src", "deep"), { recursive: true });
  await mkdir(join(base, "outside"));
  await writeFile(join(workspace, "file.txt"), "x");
  await symlink(join(base, "outside"), join(workspace, "out-link"));
  await symlink(join(workspace, "src"), join(workspace, "src-link"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("resolveWorkingDir", () => {
  it("is the workspace by default", async () => {
    expect(await resolveWorkingDir(workspace, undefined)).toEqual({ real: workspace, display: "." });
    expect(await resolveWorkingDir(workspace, "")).toEqual({ real: workspace, display: "." });
  });

  it("takes a folder inside the workspace, relative or absolute, and a link that stays inside", async () => {
    expect(await resolveWorkingDir(workspace, "src/deep")).toEqual({ real: join(workspace, "src", "deep"), display: "src/deep" });
    expect(await resolveWorkingDir(workspace, join(workspace, "src"))).toEqual({ real: join(workspace, "src"), display: "src" });
    expect(await resolveWorkingDir(workspace, "src/deep/../..")).toEqual({ real: workspace, display: "." });
    expect(await resolveWorkingDir(workspace, "src-link/deep")).toEqual({ real: join(workspace, "src", "deep"), display: "src/deep" });
  });

  it("refuses .. out of the workspace", async () => {
    await expect(resolveWorkingDir(workspace, "..")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH", message: expect.stringMatching(/outside the agent's workspace/) });
    await expect(resolveWorkingDir(workspace, "src/../../outside")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    await expect(resolveWorkingDir(workspace, "/")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("refuses a symbolic link that leads out, naming where it leads", async () => {
    await expect(resolveWorkingDir(workspace, "out-link")).rejects.toMatchObject({
      code: "ALEPH_E_UNSAFE_PATH",
      message: expect.stringContaining(`through a symbolic link, it is ${join(base, "outside")}`),
    });
  });

  it("refuses a workspace sibling sharing its name's start", async () => {
    await mkdir(join(base, "ws-other"), { recursive: true });
    await expect(resolveWorkingDir(workspace, "../ws-other")).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
  });

  it("refuses a missing folder and a file", async () => {
    await expect(resolveWorkingDir(workspace, "nope")).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/does not exist/) });
    await expect(resolveWorkingDir(workspace, "file.txt")).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS", message: expect.stringMatching(/is a file/) });
    await expect(resolveWorkingDir(workspace, "file.txt/x")).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
  });

  it("creates a workspace not seeded yet, private", async () => {
    const fresh = join(base, "agents", "new", "workspace");
    expect(await resolveWorkingDir(fresh, undefined)).toEqual({ real: fresh, display: "." });
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
  });
});
