import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDirSync, mkdirPrivateSync, writeFileAtomicSync, type Logger } from "@aleph/plugin-sdk";

/*
 * What the scheduler must remember across a stop: data/cron/state.json, rewritten atomically at
 * each change. Per job, the last time its schedule came due (so the next start can tell which runs
 * fell while Aleph was down) and the run in flight (so a run a crash cut short is completed under
 * the same turn id — answered once — rather than lost or run twice).
 */

export interface InFlightRun {
  runId: string;
  scheduledAt: number;
  startedAt: number;
  manual: boolean;
  agentId: string;
  sessionKey: string;
  /** The message as it was sent (the job's message may change before the run is completed). */
  text: string;
}

export interface JobState {
  /** The latest time the schedule came due and was handled (run, skipped, or reported missed). */
  lastScheduledAt?: number;
  inFlight?: InFlightRun;
}

interface StateFile {
  version: 1;
  jobs: Record<string, JobState>;
}

export class CronState {
  #jobs: Map<string, JobState>;

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {
    this.#jobs = this.#load();
  }

  get(job: string): JobState {
    return { ...this.#jobs.get(job) };
  }

  jobs(): string[] {
    return [...this.#jobs.keys()];
  }

  /** Changes one job's entry (an empty entry is dropped) and writes the file. */
  update(job: string, change: (state: JobState) => JobState): void {
    const next = change({ ...this.#jobs.get(job) });
    if (next.lastScheduledAt === undefined && next.inFlight === undefined) this.#jobs.delete(job);
    else this.#jobs.set(job, next);
    this.#save();
  }

  /**
   * Forgets the last due time of jobs that are not timed (removed from the config, switched off):
   * when they come back they start afresh, with nothing counted as missed. A run in flight is kept.
   */
  forgetSchedules(jobs: Iterable<string>): void {
    let changed = false;
    for (const job of jobs) {
      const state = this.#jobs.get(job);
      if (state?.lastScheduledAt === undefined) continue;
      if (state.inFlight) this.#jobs.set(job, { inFlight: state.inFlight });
      else this.#jobs.delete(job);
      changed = true;
    }
    if (changed) this.#save();
  }

  #load(): Map<string, JobState> {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log.warn("the cron state could not be read; starting without it (no missed runs are reported)", { file: this.file, error });
      return new Map();
    }
    try {
      const parsed = JSON.parse(text) as Partial<StateFile>;
      if (parsed.version !== 1 || typeof parsed.jobs !== "object" || parsed.jobs === null) throw new Error(`unexpected content (version ${String(parsed.version)})`);
      return new Map(Object.entries(parsed.jobs).filter(([, state]) => typeof state === "object" && state !== null));
    } catch (error) {
      this.log.warn("the cron state is damaged; starting without it (no missed runs are reported)", { file: this.file, error });
      return new Map();
    }
  }

  #save(): void {
    if (this.#jobs.size === 0) {
      // Nothing to remember: no file, so a later start without jobs has nothing to look at.
      if (existsSync(this.file)) {
        rmSync(this.file, { force: true });
        fsyncDirSync(dirname(this.file));
      }
      return;
    }
    mkdirPrivateSync(dirname(this.file));
    const data: StateFile = { version: 1, jobs: Object.fromEntries(this.#jobs) };
    writeFileAtomicSync(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }
}
