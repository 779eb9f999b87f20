import { createServiceRef, type AgentTurnEvent } from "@aleph/plugin-sdk/core";

/*
 * The `cron` service: what `aleph cron list|runs|run-now` ask of the plugin, through the running
 * kernel or one started for the command. Types only and the ref (no zod, no croner), so the
 * commands entry imports this module alone.
 */

/** How a run ended: answered, failed, skipped (the previous run was still going), missed (the kernel was down). */
export type CronRunStatus = "ok" | "failed" | "skipped" | "missed";

/** One line of a job's run history (data/cron/runs/<job>.jsonl). Times are milliseconds since the epoch. */
export interface CronRunRecord {
  /** `cron:<job>:<scheduledAt>` (a manual run: `cron:<job>:manual:<startedAt>-<random>`): also the turn's idempotency id. */
  runId: string;
  job: string;
  agentId: string;
  sessionKey: string;
  status: CronRunStatus;
  ok: boolean;
  /** The time the schedule planned (a manual run: when it was asked for; missed: the first missed). */
  scheduledAt: number;
  startedAt: number;
  finishedAt: number;
  /** How long the run took (real time). */
  ms: number;
  manual: boolean;
  /** The reply, cut at CRON_REPLY_MAX characters (with "…"). */
  text?: string;
  /** Why it failed or was skipped; `code` is the turn's error code when there is one. */
  error?: string;
  code?: string;
  /** Completed after a stop or crash cut it short (the same turn id: answered once). */
  resumed?: boolean;
  /** Missed runs: how many were due while Aleph was not running, the first and last of them. */
  missed?: boolean;
  count?: number;
  first?: number;
  last?: number;
  /** More runs were due than were counted (counting stops at CRON_MISSED_COUNT_CAP): `count` is a lower bound. */
  capped?: boolean;
}

/** A job as `aleph cron list` shows it. */
export interface CronJobView {
  id: string;
  schedule: string;
  /** The IANA time zone the schedule is read in (the machine's when the job gives none). */
  tz: string;
  agent: string;
  enabled: boolean;
  sessionKey: string;
  /** The next planned run; null when disabled or the expression has no future time. */
  nextRun: number | null;
  /** The run going on now in this kernel, if any. */
  running: { runId: string; startedAt: number; manual: boolean } | null;
  /** The newest line of its history. */
  lastRun: CronRunRecord | null;
}

/** What `runNow` streams: the run's start, the agent turn's own events, and the record kept. */
export type CronRunEvent =
  | { type: "run.started"; runId: string; job: string; agentId: string; sessionKey: string; scheduledAt: number; manual: boolean }
  | AgentTurnEvent
  | { type: "run.finished"; record: CronRunRecord };

export interface CronService {
  /** Every job of [[cron.jobs]], in config order. */
  jobs(): Promise<CronJobView[]>;
  /** A job's history, newest first (at most `limit`, default 20). A job no longer configured is read while its history exists. */
  runs(job: string, options?: { limit?: number }): Promise<CronRunRecord[]>;
  /** Runs a job now, outside its schedule (disabled jobs too), streaming the turn. Refused while the job runs. */
  runNow(job: string): AsyncIterable<CronRunEvent>;
}

export const cronRef = createServiceRef<CronService>("cron");
