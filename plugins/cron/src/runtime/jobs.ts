import { formatSessionKey, type Logger } from "@aleph/plugin-sdk";
import type { CronConfig, CronJobConfig } from "../config.js";
import { machineTimeZone } from "../job-checks.js";
import { Schedule } from "./schedule.js";

/*
 * The jobs of [[cron.jobs]] as the scheduler uses them: time zone resolved, session key formed,
 * schedule compiled, and what changed between two configs (added, timed anew, removed).
 */

export interface Job {
  id: string;
  expression: string;
  tz: string;
  agent: string;
  message: string;
  enabled: boolean;
  sessionKey: string;
  /** Undefined when croner refused the expression (the config check refuses it first). */
  schedule: Schedule | undefined;
}

export function resolveJobs(config: CronConfig, log: Logger): Map<string, Job> {
  const jobs = new Map<string, Job>();
  for (const entry of config.jobs) jobs.set(entry.id, resolveJob(entry, log));
  return jobs;
}

function resolveJob(entry: CronJobConfig, log: Logger): Job {
  const tz = entry.tz ?? machineTimeZone();
  let schedule: Schedule | undefined;
  try {
    schedule = new Schedule(entry.schedule, tz);
  } catch (error) {
    log.error("a cron job's schedule cannot be read; the job does not run", { job: entry.id, schedule: entry.schedule, tz, error });
  }
  return {
    id: entry.id,
    expression: entry.schedule,
    tz,
    agent: entry.agent,
    message: entry.message,
    enabled: entry.enabled,
    sessionKey: formatSessionKey({ kind: "cron", agentId: entry.agent, job: entry.id }),
    schedule,
  };
}

/** What decides when a job runs: a change of it times the job anew. */
export function timingOf(job: Job): string {
  return JSON.stringify([job.expression, job.tz, job.enabled]);
}

/** Jobs that run on their schedule. */
export function timed(jobs: Map<string, Job>): Job[] {
  return [...jobs.values()].filter((job) => job.enabled && job.schedule !== undefined);
}
