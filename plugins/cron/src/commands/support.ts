import { CommandUsageError, type CommandInput, type ServiceCaller } from "@aleph/plugin-sdk/core";
import { cronRef, type CronRunRecord, type CronService } from "../service.js";

/* What the `aleph cron …` handlers share. */

/** The cron service of the kernel the command runs against. */
export function cronOf(cmd: CommandInput): ServiceCaller<CronService> {
  return cmd.kernel.service(cronRef);
}

/** A positional argument that must be there. */
export function argument(cmd: CommandInput, name: string): string {
  const value = cmd.args[name];
  const text = (Array.isArray(value) ? value.join(" ") : (value ?? "")).trim();
  if (!text) throw new CommandUsageError(`give the ${name}`);
  return text;
}

/** A time for a table: ISO 8601 to the second, in UTC; "-" for none. */
export function when(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One line of a table cell: control characters and newlines out, long text cut. */
export function cell(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A run's outcome in a word or two: "ok", "failed (ALEPH_E_…)", "skipped", "missed 3". */
export function outcome(run: CronRunRecord): string {
  if (run.status === "missed") return `missed ${run.count ?? "?"}${run.capped ? "+" : ""}`;
  if (run.status === "failed") return run.code ? `failed (${run.code})` : "failed";
  return run.status;
}
