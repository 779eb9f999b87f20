import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, lockHolder } from "./lock.js";

const runDir = () => mkdtempSync(join(tmpdir(), "aleph-lock-"));

describe("kernel lock", () => {
  it("is exclusive: a second holder is refused with the first one's pid", () => {
    const dir = runDir();
    const lock = acquireLock(dir);
    // A live process other than us holds it: simulate with our parent's pid.
    writeFileSync(join(dir, "kernel.lock"), JSON.stringify({ pid: process.ppid, startedAt: "earlier" }));
    expect(() => acquireLock(dir)).toThrow(new RegExp(`pid ${process.ppid}`));
    expect(lockHolder(dir)?.pid).toBe(process.ppid);
    lock.release();
  });

  it("takes over a lock left by a dead process", () => {
    const dir = runDir();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(join(dir, "kernel.lock"), JSON.stringify({ pid: Number(dead), startedAt: "long ago" }));
    expect(lockHolder(dir)).toBeUndefined();
    const lock = acquireLock(dir);
    expect(JSON.parse(readFileSync(join(dir, "kernel.lock"), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("treats an unreadable lock file as stale", () => {
    const dir = runDir();
    writeFileSync(join(dir, "kernel.lock"), "{half");
    const lock = acquireLock(dir);
    lock.release();
    lock.release();
    expect(lockHolder(dir)).toBeUndefined();
  });
});
