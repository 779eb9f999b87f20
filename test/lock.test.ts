/*
 * One kernel per state root: run/kernel.lock. A second start exits 1 naming the holder's pid; a
 * lock left by a dead process is taken over; a file that is not a lock record is refused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, sleep, startKernel, startReadyKernel } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

/** A pid that certainly belongs to no process: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(child.stdout);
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

describe("one kernel per state root", () => {
  test("a second aleph start on the same root exits 1 and its stderr names the pid holding the lock; the first keeps running", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "alpha"), { id: "alpha" });
    const first = await startReadyKernel(ws);

    const second = await runCli(ws, ["start", "--events", "json"]);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(String(first.pid));
    expect(second.stdout, "the refused kernel loads no plugin").not.toContain("plugin.loaded");

    const status = await first.status();
    expect(status).toMatchObject({ running: true, pid: first.kernelPid(), supervisor: { pid: first.pid } });
    expect(JSON.parse(readFileSync(ws.lockFile, "utf8")).pid).toBe(first.pid);
  });

  test("a second aleph start from another working directory, on the same root, is refused too", async () => {
    const ws = createWorkspace();
    const first = await startReadyKernel(ws);
    const elsewhere = join(ws.base, "elsewhere");
    mkdirSync(elsewhere);
    const second = await runCli(ws, ["start"], { cwd: elsewhere });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(String(first.pid));
  });

  test("a stale lock left by a dead process is taken over", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "alpha"), { id: "alpha" });
    mkdirSync(dirname(ws.lockFile), { recursive: true });
    writeFileSync(ws.lockFile, JSON.stringify({ pid: deadPid(), startedAt: "x" }));

    const kernel = startKernel(ws);
    await kernel.ready();
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "alpha");
    expect(JSON.parse(readFileSync(ws.lockFile, "utf8")).pid).toBe(kernel.pid);
    expect(await kernel.status()).toMatchObject({ running: true, pid: kernel.kernelPid() });
  });

  test("the literal stale lock {pid: 999999} is taken over", async () => {
    // The brief's example; skipped in effect if such a pid happens to be alive on this machine.
    let alive = true;
    try {
      process.kill(999999, 0);
    } catch {
      alive = false;
    }
    if (alive) return;
    const ws = createWorkspace();
    mkdirSync(dirname(ws.lockFile), { recursive: true });
    writeFileSync(ws.lockFile, '{"pid": 999999, "startedAt": "x"}');
    const kernel = await startReadyKernel(ws);
    expect(JSON.parse(readFileSync(ws.lockFile, "utf8")).pid).toBe(kernel.pid);
  });

  test("a lock file that is not a lock record is refused, not taken over: the error names the file to remove", async () => {
    // Lock records are linked into place complete, so an unreadable file was not written by a
    // kernel that is starting; whether one holds it cannot be told, so nothing is taken over.
    const ws = createWorkspace();
    mkdirSync(dirname(ws.lockFile), { recursive: true });
    writeFileSync(ws.lockFile, '{"pid": 12');
    const refused = await runCli(ws, ["start"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("not a lock record");
    expect(refused.stderr).toContain(`remove ${ws.lockFile}`);
    expect(readFileSync(ws.lockFile, "utf8")).toBe('{"pid": 12');
  });

  test("a kernel that stops releases the lock, and the next start on the root succeeds", async () => {
    const ws = createWorkspace();
    const first = await startReadyKernel(ws);
    expect((await first.stop("SIGTERM")).code).toBe(0);
    expect(existsSync(ws.lockFile), "the lock file is removed on shutdown").toBe(false);
    const second = await startReadyKernel(ws);
    expect(JSON.parse(readFileSync(ws.lockFile, "utf8")).pid).toBe(second.pid);
  });

  test("two kernels started at the same moment on one root: exactly one runs", async () => {
    const ws = createWorkspace();
    const a = startKernel(ws);
    const b = startKernel(ws);
    const loser = await Promise.race([a.exited.then(() => a), b.exited.then(() => b), sleep(10_000).then(() => undefined)]);
    expect(loser, `one of the two must be refused\n--- a:\n${a.describe()}\n--- b:\n${b.describe()}`).toBeDefined();
    const winner = loser === a ? b : a;
    await winner.ready();
    expect(loser!.exitInfo?.code, loser!.stderr).toBe(1);
    expect(loser!.stderr).toContain(String(winner.pid));
    expect(await winner.status()).toMatchObject({ running: true, pid: winner.kernelPid() });
  });

  test("50 trials of 3–6 simultaneous aleph start on one root, half right after a SIGKILL of the previous kernel: exactly one kernel is ready every time", async () => {
    const ws = createWorkspace();
    for (let trial = 0; trial < 50; trial++) {
      const racers = Array.from({ length: 3 + (trial % 4) }, () => startKernel(ws, ["--no-watch"]));
      // Each racer either becomes ready or exits; one that exits must have been refused the lock.
      const outcomes = await Promise.all(
        racers.map((k) =>
          k.ready(20_000).then(
            () => "ready",
            async () => {
              const e = await k.exited;
              return e.code === 1 && k.stderr.includes("ALEPH_E_LOCKED") ? "locked" : `exit ${e.code}: ${k.stderr}`;
            },
          ),
        ),
      );
      const ready = racers.filter((_, i) => outcomes[i] === "ready");
      expect(ready.length, `trial ${trial}: ${JSON.stringify(outcomes)}`).toBe(1);
      expect(outcomes.filter((o) => o !== "ready" && o !== "locked"), `trial ${trial}`).toEqual([]);
      // The losers are gone; the winner holds the lock and answers.
      expect(JSON.parse(readFileSync(ws.lockFile, "utf8")).pid).toBe(ready[0]!.pid);
      // Half the trials end with a kill -9 (a stale lock for the next racers), half in order.
      const end = await ready[0]!.stop(trial % 2 === 0 ? "SIGKILL" : "SIGTERM");
      if (trial % 2 === 1) expect(end.code).toBe(0);
    }
  }, 240_000);
});

