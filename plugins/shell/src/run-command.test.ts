import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, type RunCommandOptions } from "./run-command.js";

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "shell-run-")));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (command: string, options: Partial<RunCommandOptions> = {}) =>
  runCommand({ command, cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 10_000, maxOutputBytes: 64 * 1024, killGraceMs: 300, ...options });

/** True while the process exists and is not a zombie (an orphan waits to be reaped by init). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function gone(pid: number, withinMs = 3000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}

const hasSetsid = ["/usr/bin/setsid", "/bin/setsid"].some((p) => existsSync(p));

const pidIn = (stdout: string): number => Number(/^(\d+)$/m.exec(stdout)![1]);

describe("runCommand", () => {
  it("runs /bin/sh -c in the folder given, with stdout, stderr and the exit code apart", async () => {
    const result = await run("pwd; echo oops >&2; exit 3");
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, cancelled: false, stdout: `${dir}\n`, stderr: "oops\n", truncated: false });
  });

  it("closes stdin, so a command that reads it ends at once", async () => {
    const result = await run("cat; echo done");
    expect(result).toMatchObject({ exitCode: 0, stdout: "done\n" });
    expect(result.ms).toBeLessThan(5000);
  });

  it("gives the command exactly the environment passed", async () => {
    const result = await run("env", { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ONLY_THIS: "yes" } });
    const names = result.stdout.trim().split("\n").map((line) => line.slice(0, line.indexOf("=")));
    expect(names).toContain("ONLY_THIS");
    // The shell adds PWD (and dash OLDPWD/_ at most); nothing of this process's environment comes along.
    expect(names.filter((n) => !["PATH", "ONLY_THIS", "PWD", "OLDPWD", "_", "SHLVL"].includes(n))).toEqual([]);
  });

  it("stops the whole process group at the timeout: the shell and the grandchild it started", async () => {
    const started = Date.now();
    const result = await run("sleep 30 & echo $!; wait", { timeoutMs: 400 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGTERM" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await gone(pidIn(result.stdout))).toBe(true);
  });

  it("kills with SIGKILL after the grace what ignores SIGTERM", async () => {
    const started = Date.now();
    const result = await run("trap '' TERM; sleep 30 & echo $!; wait; wait", { timeoutMs: 300, killGraceMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGKILL" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await gone(pidIn(result.stdout))).toBe(true);
  });

  it("stops the group when the signal aborts, and reports it cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await run("sleep 30 & echo $!; wait", { signal: controller.signal });
    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
    expect(await gone(pidIn(result.stdout))).toBe(true);
  });

  it("stops at once a command whose signal was aborted before it started", async () => {
    const result = await run("sleep 30", { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ cancelled: true, exitCode: null });
    expect(result.ms).toBeLessThan(5000);
  });

  it("leaves nothing running after the command ends: background jobs in its group are stopped", async () => {
    const quiet = await run("sleep 30 >/dev/null 2>&1 & echo $!");
    expect(quiet.exitCode).toBe(0);
    expect(await gone(pidIn(quiet.stdout))).toBe(true);
    // One holding the output pipe does not keep the call waiting.
    const started = Date.now();
    const holding = await run("sleep 30 & echo $!");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await gone(pidIn(holding.stdout))).toBe(true);
  });

  it.skipIf(!hasSetsid)("returns, without waiting for it, when a process that left the group holds the output open", async () => {
    const started = Date.now();
    const result = await run("setsid sleep 20 & echo $!", { killGraceMs: 100 });
    const pid = pidIn(result.stdout);
    try {
      expect(result.exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      process.kill(pid, "SIGKILL");
    }
  });

  it("caps each stream, keeping head and tail", async () => {
    const result = await run("i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done; echo err >&2", { maxOutputBytes: 1024 });
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith("line 0\nline 1\n")).toBe(true);
    expect(result.stdout.endsWith("line 1998\nline 1999\n")).toBe(true);
    expect(result.stdout).toMatch(/bytes cut from the middle/);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1024 + 300);
    expect(result.stderr).toBe("err\n");
  });

  it("rejects with ALEPH_E_TOOL when the shell cannot start", async () => {
    await expect(run("true", { cwd: join(dir, "missing") })).rejects.toMatchObject({ code: "ALEPH_E_TOOL", message: expect.stringMatching(/could not start \/bin\/sh/) });
  });
});
