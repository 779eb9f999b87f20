import { appendFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/log-recorder.js";
import type { CronRunRecord } from "../service.js";
import { RunHistory } from "./run-history.js";

const record = (n: number): CronRunRecord => ({
  runId: `cron:beat:${n}`,
  job: "beat",
  agentId: "main",
  sessionKey: "agent:main:cron:beat",
  status: "ok",
  ok: true,
  scheduledAt: n,
  startedAt: n,
  finishedAt: n + 1,
  ms: 1,
  manual: false,
  text: `reply ${n}`,
});

describe("a job's run history", () => {
  it("appends one line per run to runs/<job>.jsonl, private, and reads them back oldest first", () => {
    const history = new RunHistory(join(mkdtempSync(join(tmpdir(), "cron-history-")), "runs"), recordingLogger());
    history.append(record(1));
    history.append(record(2));
    expect(history.read("beat").map((r) => r.runId)).toEqual(["cron:beat:1", "cron:beat:2"]);
    expect(history.last("beat")?.runId).toBe("cron:beat:2");
    expect(statSync(history.fileOf("beat")).mode & 0o777).toBe(0o600);
    expect(statSync(history.dir).mode & 0o777).toBe(0o700);
    expect(history.read("other")).toEqual([]);
  });

  it("skips a torn last line (a write cut short) and keeps appending on a fresh line", () => {
    const log = recordingLogger();
    const history = new RunHistory(join(mkdtempSync(join(tmpdir(), "cron-history-")), "runs"), log);
    history.append(record(1));
    appendFileSync(history.fileOf("beat"), '{"runId":"cron:beat:2","job":"be');
    expect(history.read("beat").map((r) => r.runId)).toEqual(["cron:beat:1"]);
    history.append(record(3));
    expect(history.read("beat").map((r) => r.runId)).toEqual(["cron:beat:1", "cron:beat:3"]);
    expect(readFileSync(history.fileOf("beat"), "utf8").split("\n")).toHaveLength(4); // three lines and the final newline
    // Reported once per damaged line, however often the file is read.
    expect(log.lines.filter((l) => l.level === "warn").map((l) => l.fields?.line)).toEqual([2]);
  });

  it("keeps the newest `keep` runs: a file past twice that is rewritten with them", () => {
    const history = new RunHistory(join(mkdtempSync(join(tmpdir(), "cron-history-")), "runs"), recordingLogger(), 3);
    for (let n = 1; n <= 6; n++) history.append(record(n));
    expect(history.read("beat")).toHaveLength(6);
    history.append(record(7));
    expect(history.read("beat").map((r) => r.scheduledAt)).toEqual([5, 6, 7]);
    expect(statSync(history.fileOf("beat")).mode & 0o777).toBe(0o600);
    for (let n = 8; n <= 10; n++) history.append(record(n));
    expect(history.read("beat").map((r) => r.scheduledAt)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it("counts what a file held before this process when it decides to compact", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "cron-history-")), "runs");
    const before = new RunHistory(dir, recordingLogger(), 2);
    for (let n = 1; n <= 4; n++) before.append(record(n));
    const after = new RunHistory(dir, recordingLogger(), 2);
    after.append(record(5));
    expect(after.read("beat").map((r) => r.scheduledAt)).toEqual([4, 5]);
  });
});
