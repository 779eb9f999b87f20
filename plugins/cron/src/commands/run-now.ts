import { json, type CommandInput } from "@aleph/plugin-sdk/core";
import type { CronRunEvent, CronRunRecord } from "../service.js";
import { cronRef } from "../service.js";
import { argument } from "./support.js";

/**
 * `aleph cron run-now <job> [--json]`: a manual run, its reply streamed to stdout (tool calls on
 * stderr), through the running kernel or one started here for it (every plugin but the daemons,
 * so the agent has its tools, as under `aleph start`). Exit 1 when the run failed.
 */
export async function cronRunNowCommand(cmd: CommandInput): Promise<number> {
  const job = argument(cmd, "job");
  const events = cmd.kernel.stream(cronRef.id, "runNow", [job], { signal: cmd.signal }) as AsyncIterable<CronRunEvent>;
  let record: CronRunRecord | undefined;
  let endedWithNewline = true;
  let printed = false;
  for await (const event of events) {
    if (event.type === "run.finished") record = event.record;
    if (cmd.options.json === true) continue;
    switch (event.type) {
      case "run.started":
        cmd.err(`[running ${event.job} as ${event.runId} in ${event.sessionKey}]\n`);
        break;
      case "text":
        cmd.out(event.text);
        endedWithNewline = event.text.endsWith("\n");
        printed ||= event.text.length > 0;
        break;
      case "tool.call":
        cmd.err(`[tool ${event.name} ${JSON.stringify(event.arguments)}]\n`);
        break;
      case "turn.completed":
        // An answer kept from before (the same turn id) arrives whole, without text events.
        if (!printed && event.text) cmd.out(event.text.endsWith("\n") ? event.text : `${event.text}\n`);
        else if (!endedWithNewline) cmd.out("\n");
        break;
      case "turn.failed":
        if (!endedWithNewline) cmd.out("\n");
        break;
    }
  }
  if (!record) {
    cmd.err(`aleph: the run of "${job}" ended without a record\n`);
    return 1;
  }
  if (cmd.options.json === true) cmd.out(json(record));
  else if (!record.ok) cmd.err(`aleph: ${record.code ?? "ALEPH_E_CRON_RUN"}: ${record.error ?? "the run failed"}\n`);
  return record.ok ? 0 : 1;
}
