import { json, table, type CommandInput } from "@aleph/plugin-sdk/core";
import { argument, cell, cronOf, outcome, when } from "./support.js";

/** `aleph cron runs <job> [--limit N] [--json]`: newest first. */
export async function cronRunsCommand(cmd: CommandInput): Promise<number> {
  const job = argument(cmd, "job");
  const limit = typeof cmd.options.limit === "number" ? cmd.options.limit : 20;
  const runs = await cronOf(cmd).runs(job, { limit });
  if (cmd.options.json === true) {
    cmd.out(json(runs));
    return 0;
  }
  if (runs.length === 0) {
    cmd.out(`"${job}" has not run yet. Run it now: aleph cron run-now ${job}\n`);
    return 0;
  }
  const rows = [["SCHEDULED", "RESULT", "MS", "HOW", "REPLY OR ERROR"]];
  for (const run of runs) rows.push([when(run.scheduledAt), outcome(run), String(run.ms), run.manual ? "manual" : run.resumed ? "resumed" : "schedule", cell(run.ok ? (run.text ?? "") : (run.error ?? ""))]);
  cmd.out(table(rows));
  return 0;
}
