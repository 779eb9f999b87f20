import type { CronRunRecord } from "../service.js";
import type { Job } from "./jobs.js";
import type { DueRuns } from "./schedule.js";
import { scheduledRunId } from "./job-run.js";

/*
 * The history records of what did not run: a tick skipped because the job's previous run was still
 * going, and the runs that came due while nothing could run them (reported, never replayed).
 */

export function skippedRecord(job: Job, scheduledAt: number, now: number, running: { runId: string; manual: boolean }): CronRunRecord {
  return {
    runId: scheduledRunId(job.id, scheduledAt),
    job: job.id,
    agentId: job.agent,
    sessionKey: job.sessionKey,
    status: "skipped",
    ok: false,
    scheduledAt,
    startedAt: now,
    finishedAt: now,
    ms: 0,
    manual: false,
    error: `skipped: the previous run (${running.runId}${running.manual ? ", a manual run" : ""}) was still running`,
  };
}

/** `why`: what kept the runs from running ("Aleph was not running"). */
export function missedRecord(job: Job, runs: DueRuns, now: number, why: string): CronRunRecord {
  const count = `${runs.capped ? "at least " : ""}${runs.count} run${runs.count === 1 && !runs.capped ? " was" : "s were"}`;
  return {
    runId: `cron:${job.id}:missed:${runs.first}`,
    job: job.id,
    agentId: job.agent,
    sessionKey: job.sessionKey,
    status: "missed",
    ok: false,
    scheduledAt: runs.first,
    startedAt: now,
    finishedAt: now,
    ms: 0,
    manual: false,
    error: `${count} due while ${why} (${new Date(runs.first).toISOString()} to ${new Date(runs.last).toISOString()}); missed runs are reported, not replayed`,
    missed: true,
    count: runs.count,
    first: runs.first,
    last: runs.last,
    ...(runs.capped ? { capped: true } : {}),
  };
}
