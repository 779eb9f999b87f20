import * as z from "@aleph/zod/mini";
import { explainInvalidId } from "@aleph/plugin-sdk";
import { JOB_ID_MAX, scheduleProblem, timeZoneProblem } from "./job-checks.js";

/*
 * The [cron] section of config.toml, owned by this plugin: its `jobs` array of tables.
 *
 *   [[cron.jobs]]
 *   id = "morning-brief"
 *   schedule = "0 8 * * 1-5"        # 08:00 on weekdays
 *   tz = "Europe/Paris"             # default: the machine's time zone
 *   agent = "main"                  # default
 *   message = "Summarise what is on my calendar today."
 *
 * Strict: a misspelt key (`shedule`) is an error naming it, not a job that never runs. The schedule
 * is checked by croner itself (the parser that runs it), imported only when a job is configured, so
 * a kernel without jobs never loads it.
 */

const JOB_ID_RULE = `letters, digits, ".", "_" or "-", starting with a letter or digit, at most ${JOB_ID_MAX} characters (e.g. "morning-brief")`;

const jobIdSchema = z.string().check(
  z.superRefine((id, ctx) => {
    const problem = explainInvalidId("job id", id, { maxLength: JOB_ID_MAX });
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}: use ${JOB_ID_RULE}` });
  }),
  z.describe("The job's name: unique; its session is agent:<agent>:cron:<id>, its history data/cron/runs/<id>.jsonl"),
);

const agentIdSchema = z.string().check(
  z.superRefine((id, ctx) => {
    const problem = explainInvalidId("agent id", id);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}: name an agent of [[agents]] ("main" is the default one)` });
  }),
);

export const jobSchema = z
  .strictObject({
    id: jobIdSchema,
    schedule: z
      .string()
      .check(z.describe('A cron expression: five fields "minute hour day-of-month month day-of-week" (or six, seconds first), or @hourly, @daily, @weekly, @monthly, @yearly')),
    tz: z.optional(z.string()).check(z.describe('The IANA time zone the schedule is read in, e.g. "Europe/Paris" or "UTC" (default: the machine\'s)')),
    agent: z._default(agentIdSchema, "main").check(z.describe("The agent that answers (an id of [[agents]])")),
    message: z
      .string()
      .check(
        z.refine((text) => text.trim().length > 0, { message: 'is empty: write what the agent should do at each run, e.g. message = "Summarise my unread mail"' }),
        z.describe("What the agent is told at each run, as if a user had sent it"),
      ),
    enabled: z._default(z.boolean(), true).check(z.describe("false: keep the job but do not run it on its schedule (aleph cron run-now still can)")),
  })
  .check(
    // The time zone first: croner reads the schedule in it, and one bad zone should not be reported twice.
    z.superRefine(async (job, ctx) => {
      const zoneProblem = job.tz === undefined ? undefined : timeZoneProblem(job.tz);
      if (zoneProblem) {
        ctx.addIssue({ code: "custom", path: ["tz"], message: zoneProblem });
        return;
      }
      const problem = await scheduleProblem(job.schedule, job.tz);
      if (problem) ctx.addIssue({ code: "custom", path: ["schedule"], message: problem });
    }),
  );

export const cronConfigSchema = z.strictObject({
  jobs: z._default(z.array(jobSchema), []).check(
    z.superRefine((jobs, ctx) => {
      const first = new Map<string, number>();
      jobs.forEach((job, index) => {
        const earlier = first.get(job.id);
        if (earlier === undefined) first.set(job.id, index);
        else {
          ctx.addIssue({
            code: "custom",
            path: [index, "id"],
            message: `"${job.id}" is the id of [[cron.jobs]] #${earlier + 1} and #${index + 1}: job ids must be unique (rename one of them)`,
          });
        }
      });
    }),
    z.describe("The scheduled jobs ([[cron.jobs]] tables): each runs its message as an agent turn on its schedule"),
  ),
});

export type CronConfig = z.output<typeof cronConfigSchema>;
export type CronJobConfig = z.output<typeof jobSchema>;

/** The jobs that run on their schedule. */
export function enabledJobs(config: CronConfig): CronJobConfig[] {
  return config.jobs.filter((job) => job.enabled);
}
