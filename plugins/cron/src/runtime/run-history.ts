import { join } from "node:path";
import { appendJsonLine, mkdirPrivateSync, readJsonLines, writeFileAtomicSync, type Logger } from "@aleph/plugin-sdk";
import type { CronRunRecord } from "../service.js";

/*
 * Each job's run history: data/cron/runs/<job>.jsonl, one record a line, appended (a crash leaves
 * at most a torn last line, which reading skips and the next append closes). Bounded: when a file
 * holds more than twice `keep` records it is rewritten, atomically, with the newest `keep` — so
 * appends stay appends, and the rewrite happens once every `keep` runs.
 */

/** Runs kept per job. */
export const CRON_HISTORY_KEEP = 1000;

export class RunHistory {
  /** Records per file as last counted; a file is read once, at its first append. */
  readonly #counts = new Map<string, number>();
  /** Damaged lines already reported (`file:line`): every read skips them, the log says so once. */
  readonly #reported = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly keep = CRON_HISTORY_KEEP,
  ) {}

  fileOf(job: string): string {
    return join(this.dir, `${job}.jsonl`);
  }

  append(record: CronRunRecord): void {
    mkdirPrivateSync(this.dir);
    const file = this.fileOf(record.job);
    const count = (this.#counts.get(file) ?? this.#read(record.job).length) + 1;
    appendJsonLine(file, record);
    this.#counts.set(file, count);
    if (count > 2 * this.keep) this.#compact(record.job);
  }

  /** The job's records, oldest first; damaged lines are skipped (and logged). */
  read(job: string): CronRunRecord[] {
    return this.#read(job);
  }

  /** The newest record, or null. */
  last(job: string): CronRunRecord | null {
    return this.#read(job).at(-1) ?? null;
  }

  #read(job: string): CronRunRecord[] {
    const file = this.fileOf(job);
    const result = readJsonLines<CronRunRecord>(file);
    if (result.torn) this.#report(file, result.torn.line, "a run history ends in a torn line (a write cut short); it is skipped");
    for (const bad of result.invalid) this.#report(file, bad.line, "a run history line is not JSON (a write cut short earlier); it is skipped");
    return result.records.filter((record) => typeof record === "object" && record !== null && typeof record.runId === "string");
  }

  #report(file: string, line: number, message: string): void {
    const key = `${file}:${line}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.log.warn(message, { file, line });
  }

  #compact(job: string): void {
    const file = this.fileOf(job);
    const kept = this.#read(job).slice(-this.keep);
    writeFileAtomicSync(file, kept.map((record) => `${JSON.stringify(record)}\n`).join(""));
    this.#counts.set(file, kept.length);
    this.log.debug("run history compacted", { job, kept: kept.length });
  }
}
