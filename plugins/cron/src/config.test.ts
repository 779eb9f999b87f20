import { describe, expect, it } from "vitest";
import { validateWithSchema } from "@aleph/plugin-sdk";
import { cronConfigSchema } from "./config.js";

const validate = (value: unknown) => validateWithSchema(cronConfigSchema, value);
const issuesOf = async (value: unknown) => {
  const result = await validate(value);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};
const job = (fields: Record<string, unknown> = {}) => ({ id: "brief", schedule: "0 8 * * 1-5", message: "Summarise my day.", ...fields });
const jobIssues = (fields: Record<string, unknown>) => issuesOf({ jobs: [job(fields)] });

describe("the [cron] schema", () => {
  it("has no jobs when the section is empty or absent", async () => {
    expect(await validate({})).toEqual({ ok: true, value: { jobs: [] } });
    expect(await validate(undefined)).toMatchObject({ ok: false });
  });

  it("fills in a job's defaults: agent main, enabled, no tz (the machine's zone, resolved when it runs)", async () => {
    expect(await validate({ jobs: [job()] })).toEqual({ ok: true, value: { jobs: [{ id: "brief", schedule: "0 8 * * 1-5", message: "Summarise my day.", agent: "main", enabled: true }] } });
  });

  it("takes what croner takes: five fields, six with seconds, nicknames, names of days and months, L", async () => {
    for (const schedule of ["*/15 * * * *", "30 0 9 * * *", "@hourly", "@daily", "0 9 * JAN-MAR MON-FRI", "0 18 L * *"]) {
      expect(await issuesOf({ jobs: [job({ schedule, tz: "Europe/Paris" })] }), schedule).toEqual([]);
    }
  });

  it("refuses a schedule croner refuses, at the schedule's key, with croner's reason and an example", async () => {
    expect(await jobIssues({ schedule: "* * * *" })).toEqual([
      expect.stringMatching(/^jobs\.0\.schedule: "\* \* \* \*" is not a cron expression croner accepts \(.*exactly five, six, or seven space separated parts.*\): write five fields .* e\.g\. "\*\/15 \* \* \* \*"/),
    ]);
    expect(await jobIssues({ schedule: "61 * * * *" })).toEqual([expect.stringMatching(/^jobs\.0\.schedule: .*Invalid value for minute: 61/)]);
    expect(await jobIssues({ schedule: "every morning" })).toEqual([expect.stringMatching(/^jobs\.0\.schedule: "every morning" is not a cron expression/)]);
    // Seven fields (a year) are croner's, not cron's: refused, saying why.
    expect(await jobIssues({ schedule: "0 0 9 * * * 2030" })).toEqual([expect.stringMatching(/^jobs\.0\.schedule: .*requires exactly 5 or 6 parts/)]);
    expect(await jobIssues({ schedule: "@reboot" })).toEqual([expect.stringMatching(/^jobs\.0\.schedule: .*@reboot is not supported/)]);
  });

  it("refuses a schedule that never comes due", async () => {
    expect(await jobIssues({ schedule: "0 0 30 2 *" })).toEqual([expect.stringMatching(/^jobs\.0\.schedule: "0 0 30 2 \*" never comes due/)]);
  });

  it("refuses an unknown time zone at tz, once (the schedule is not judged in a zone that does not exist)", async () => {
    expect(await jobIssues({ tz: "Europe/Pariss" })).toEqual([expect.stringMatching(/^jobs\.0\.tz: "Europe\/Pariss" is not an IANA time zone .*use a name such as "Europe\/Paris"/)]);
    expect(await jobIssues({ tz: "" })).toEqual([expect.stringMatching(/^jobs\.0\.tz: "" is not an IANA time zone/)]);
    expect(await jobIssues({ tz: 1 })).toEqual([expect.stringMatching(/^jobs\.0\.tz:/)]);
  });

  it("refuses ids that cannot name a file or a session, saying the rule", async () => {
    expect(await jobIssues({ id: "../etc" })).toEqual([expect.stringMatching(/^jobs\.0\.id: job id "\.\.\/etc" contains a path separator: use letters, digits/)]);
    expect(await jobIssues({ id: "my job" })).toEqual([expect.stringMatching(/^jobs\.0\.id: job id "my job" does not match/)]);
    expect(await jobIssues({ id: "" })).toEqual([expect.stringMatching(/^jobs\.0\.id: job id is empty/)]);
    expect(await jobIssues({ id: "x".repeat(65) })).toEqual([expect.stringMatching(/^jobs\.0\.id: job id is 65 characters long, the limit is 64/)]);
    expect(await jobIssues({ id: 7 })).toEqual([expect.stringMatching(/^jobs\.0\.id:/)]);
  });

  it("refuses a duplicate id at the second job, naming both", async () => {
    expect(await issuesOf({ jobs: [job(), job({ id: "other" }), job({ schedule: "@hourly" })] })).toEqual([
      'jobs.2.id: "brief" is the id of [[cron.jobs]] #1 and #3: job ids must be unique (rename one of them)',
    ]);
  });

  it("refuses an empty or blank message, a bad agent id, a non-boolean enabled and unknown keys", async () => {
    expect(await jobIssues({ message: "" })).toEqual([expect.stringMatching(/^jobs\.0\.message: is empty: write what the agent should do/)]);
    expect(await jobIssues({ message: "   \n" })).toEqual([expect.stringMatching(/^jobs\.0\.message: is empty/)]);
    expect(await jobIssues({ message: undefined })).toEqual([expect.stringMatching(/^jobs\.0\.message:/)]);
    expect(await jobIssues({ agent: "a/b" })).toEqual([expect.stringMatching(/^jobs\.0\.agent: agent id "a\/b" contains a path separator: name an agent of \[\[agents\]\]/)]);
    expect(await jobIssues({ enabled: "yes" })).toEqual([expect.stringMatching(/^jobs\.0\.enabled:/)]);
    expect(await jobIssues({ shedule: "@daily" })).toEqual([expect.stringMatching(/^jobs\.0: .*shedule/)]);
    expect(await issuesOf({ job: [] })).toEqual([expect.stringMatching(/job/)]);
    expect(await issuesOf({ jobs: { id: "x" } })).toEqual([expect.stringMatching(/^jobs:/)]);
  });

  it("reports every bad job of a section, each at its own key", async () => {
    // The checks of each job run concurrently (croner is imported on the first): compared in key order.
    expect((await issuesOf({ jobs: [job({ schedule: "nope" }), job({ id: "b", tz: "Mars/Olympus" })] })).sort()).toEqual([
      expect.stringMatching(/^jobs\.0\.schedule:/),
      expect.stringMatching(/^jobs\.1\.tz:/),
    ]);
  });
});
