import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { acquireLock, assertInheritedLock, lockHolder } from "./lock.js";
import { processStartOf } from "./lock-holder.js";
import { createHash } from "node:crypto";

const runDir = () => mkdtempSync(join(tmpdir(), "aleph-lock-"));
const lockFile = (dir: string) => join(dir, "kernel.lock");
const readRecord = (dir: string) => JSON.parse(readFileSync(lockFile(dir), "utf8")) as { pid: number; nonce?: string };
const claimFile = (dir: string, text: string) => join(dir, `kernel.lock.next-${createHash("sha256").update(text).digest("hex").slice(0, 24)}`);

/** A pid that certainly belongs to no process: one that has just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
}

describe("kernel lock", () => {
  it("is exclusive: a second holder is refused with the first one's pid", () => {
    const dir = runDir();
    const lock = acquireLock(dir);
    expect(readRecord(dir)).toMatchObject({ pid: process.pid, nonce: lock.record.nonce });
    // A live process other than us holds it: simulate with our parent's pid.
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startedAt: "earlier" }));
    expect(() => acquireLock(dir)).toThrow(new RegExp(`pid ${process.ppid}`));
    expect(lockHolder(dir)?.pid).toBe(process.ppid);
    lock.release();
    expect(existsSync(lockFile(dir)), "release never removes a lock holding someone else's record").toBe(true);
  });

  it("takes over a lock left by a dead process, and leaves no temp or claim files", () => {
    const dir = runDir();
    writeFileSync(lockFile(dir), JSON.stringify({ pid: deadPid(), startedAt: "long ago" }));
    expect(lockHolder(dir)).toBeUndefined();
    const lock = acquireLock(dir);
    expect(readRecord(dir).pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual(["kernel.lock"]);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses an unreadable lock file instead of calling it stale, naming the file to remove", () => {
    const dir = runDir();
    writeFileSync(lockFile(dir), "{half");
    expect(() => acquireLock(dir)).toThrow(/not a lock record.*/);
    try {
      acquireLock(dir);
    } catch (error) {
      expect((error as { fix?: string }).fix).toContain(lockFile(dir));
    }
    expect(readFileSync(lockFile(dir), "utf8"), "the file is left alone").toBe("{half");
  });

  it.runIf(processStartOf(process.pid) !== undefined)("a live pid that started at another time (a reused pid) does not hold the lock", () => {
    const dir = runDir();
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startedAt: "before the reboot", nonce: "old", processStart: "1" }));
    expect(lockHolder(dir)).toBeUndefined();
    const lock = acquireLock(dir);
    expect(readRecord(dir).nonce).toBe(lock.record.nonce);
    lock.release();
  });

  it("a starter that died while claiming a dead lock does not block the next one", () => {
    const dir = runDir();
    const deadLock = JSON.stringify({ pid: deadPid(), startedAt: "a", nonce: "n1" });
    writeFileSync(lockFile(dir), deadLock);
    writeFileSync(claimFile(dir, deadLock), JSON.stringify({ pid: deadPid(), startedAt: "b", nonce: "n2" }));
    const lock = acquireLock(dir);
    expect(readRecord(dir).nonce).toBe(lock.record.nonce);
    expect(readdirSync(dir), "the dead claim is swept").toEqual(["kernel.lock"]);
    lock.release();
  });

  it("while a live starter holds the claim on a dead lock, others do not replace the lock", () => {
    const dir = runDir();
    const deadLock = JSON.stringify({ pid: deadPid(), startedAt: "a", nonce: "n1" });
    writeFileSync(lockFile(dir), deadLock);
    writeFileSync(claimFile(dir, deadLock), JSON.stringify({ pid: process.ppid, startedAt: "b", nonce: "live" }));
    expect(() => acquireLock(dir)).toThrow(/ALEPH_E_LOCKED|kept it busy/);
    expect(readFileSync(lockFile(dir), "utf8")).toBe(deadLock);
  });

  it("an inherited lock is accepted only when this process holds it with the announced nonce", () => {
    const dir = runDir();
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.pid, startedAt: "x", nonce: "abc" }));
    expect(() => assertInheritedLock(dir, "abc")).not.toThrow();
    expect(() => assertInheritedLock(dir, "other")).toThrow(/supervisor does not hold/);
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startedAt: "x", nonce: "abc" }));
    expect(() => assertInheritedLock(dir, "abc")).toThrow(/supervisor does not hold/);
  });

  it("racing processes never hold it at once: 50 trials of 6 simultaneous acquireLock, half on a dead holder's lock", async () => {
    const dist = new URL("../dist/index.js", import.meta.url);
    expect(existsSync(fileURLToPath(dist)), "build the kernel first").toBe(true);
    const base = runDir();
    const trials = 50;
    const spacing = 400;
    const t0 = Date.now() + 3000; // time for six Node processes to start on a busy machine
    for (let trial = 0; trial < trials; trial++) {
      mkdirSync(join(base, `t${trial}`), { mode: 0o700 });
      if (trial % 2 === 1) writeFileSync(lockFile(join(base, `t${trial}`)), JSON.stringify({ pid: deadPid(), startedAt: "killed", nonce: `dead-${trial}` }));
    }
    // Each racer runs every trial: wait for its start time, try, hold a while checking nobody else does, release.
    const racer = `
      import { acquireLock } from ${JSON.stringify(dist.href)};
      import { openSync, closeSync, unlinkSync, readFileSync } from "node:fs";
      const [base, trials, spacing, t0] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
      const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
      for (let trial = 0; trial < trials; trial++) {
        const dir = base + "/t" + trial;
        const start = t0 + trial * spacing;
        await sleep(start - Date.now() - 5);
        while (Date.now() < start) {}
        let lock;
        try { lock = acquireLock(dir); } catch (e) { console.log(JSON.stringify({ trial, result: e.code })); continue; }
        let result = "WON";
        try { closeSync(openSync(dir + "/occupied", "wx")); } catch { result = "OVERLAP"; }
        await sleep(spacing / 2);
        if (JSON.parse(readFileSync(dir + "/kernel.lock", "utf8")).nonce !== lock.record.nonce) result = "LOST";
        try { unlinkSync(dir + "/occupied"); } catch {}
        lock.release();
        console.log(JSON.stringify({ trial, result }));
      }
    `;
    const script = join(base, "racer.mjs");
    writeFileSync(script, racer);
    const outputs = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, [script, base, String(trials), String(spacing), String(t0)], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        return new Promise<string>((resolve) => child.on("close", () => resolve(out)));
      }),
    );
    const results = outputs.flatMap((o) => o.trim().split("\n")).map((l) => JSON.parse(l) as { trial: number; result: string });
    expect(results).toHaveLength(trials * 6);
    // Never two holders at once (OVERLAP), never a lock taken from its holder (LOST), always a winner.
    let races = 0;
    for (let trial = 0; trial < trials; trial++) {
      const mine = results.filter((r) => r.trial === trial).map((r) => r.result);
      expect(mine.filter((r) => r !== "WON" && r !== "ALEPH_E_LOCKED"), `trial ${trial}`).toEqual([]);
      expect(mine, `trial ${trial}`).toContain("WON");
      // A racer the machine delayed past the winner's release wins after it, one after the other:
      // legitimate, but no race. Most trials must have been six-way races for the test to mean anything.
      if (mine.filter((r) => r === "WON").length === 1) races++;
    }
    expect(races).toBeGreaterThanOrEqual(trials / 2);
  }, 60_000);
});
