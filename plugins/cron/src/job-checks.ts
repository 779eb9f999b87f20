/*
 * The checks of a job's time zone and schedule, shared by the config schema and the scheduler.
 * The schedule is parsed by croner, the library that runs it, so what passes here is exactly what
 * runs; croner is imported on the first check, never when no job is configured.
 */

/** Job ids become file names (runs/<id>.jsonl) and session keys (agent:<agent>:cron:<id>). */
export const JOB_ID_MAX = 64;

/** How croner reads an expression: five fields, or six with seconds first; no year field. */
export const CRON_MODE = "5-or-6-parts" as const;

const SCHEDULE_EXAMPLES = 'e.g. "*/15 * * * *" (every 15 minutes), "0 9 * * 1-5" (09:00 on weekdays) or "@daily"';

/** Why `tz` is not a time zone this machine knows, or undefined. */
export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return undefined;
  } catch (error) {
    return `"${tz}" is not an IANA time zone this machine knows (${(error as Error).message}): use a name such as "Europe/Paris", "America/New_York" or "UTC", or leave tz out for the machine's zone`;
  }
}

/** The machine's time zone: a job without `tz` is read in it. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Why croner refuses `schedule` (or finds no time it would ever run), or undefined. */
export async function scheduleProblem(schedule: string, tz: string | undefined): Promise<string | undefined> {
  const { Cron } = await import("croner");
  try {
    const cron = new Cron(schedule, { paused: true, mode: CRON_MODE, timezone: tz ?? machineTimeZone() });
    if (cron.nextRun() === null) return `"${schedule}" never comes due (no future date matches it): write a date that exists, ${SCHEDULE_EXAMPLES}`;
    return undefined;
  } catch (error) {
    return `"${schedule}" is not a cron expression croner accepts (${(error as Error).message}): write five fields "minute hour day-of-month month day-of-week" (or six, seconds first), ${SCHEDULE_EXAMPLES}`;
  }
}
