import { json, plural, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { cronOf, outcome, when } from "./support.js";

/** `aleph cron list [--json]`. */
export async function cronListCommand(cmd: CommandInput): Promise<number> {
  const jobs = await cronOf(cmd).jobs();
  if (cmd.options.json === true) {
    cmd.out(json(jobs));
    return 0;
  }
  if (jobs.length === 0) {
    cmd.out('No cron jobs configured. Add one to config.toml:\n\n  [[cron.jobs]]\n  id = "morning-brief"\n  schedule = "0 8 * * 1-5"\n  message = "Summarise what is on my calendar today."\n');
    return 0;
  }
  const rows = [["ID", "SCHEDULE", "TZ", "AGENT", "ENABLED", "NEXT RUN", "LAST RUN", "RESULT"]];
  for (const job of jobs) {
    const last = job.running ? `${when(job.running.startedAt)}` : when(job.lastRun?.scheduledAt);
    const result = job.running ? "running" : job.lastRun ? outcome(job.lastRun) : "-";
    rows.push([job.id, job.schedule, job.tz, job.agent, job.enabled ? "yes" : "no", when(job.nextRun), last, result]);
  }
  cmd.out(table(rows));
  const enabled = jobs.filter((job) => job.enabled).length;
  cmd.out(`\n${plural(jobs.length, "job")}, ${enabled} enabled. Times are UTC. History: aleph cron runs <id>\n`);
  return 0;
}
