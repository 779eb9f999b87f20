import { join } from "node:path";
import { existsSync } from "node:fs";
import { AlephError, errorMessage, explainInvalidId, type AgentService, type ChatService, type Logger } from "@aleph/plugin-sdk";
import type { CronClock } from "../clock.js";
import type { CronConfig } from "../config.js";
import { JOB_ID_MAX } from "../job-checks.js";
import type { CronJobView, CronRunEvent, CronRunRecord } from "../service.js";
import { CronState } from "./cron-state.js";
import { executeRun, manualRunId, scheduledRunId, type RunDeps, type RunOptions, type RunRequest } from "./job-run.js";
import { resolveJobs, timed, timingOf, type Job } from "./jobs.js";
import { missedRecord, skippedRecord } from "./records.js";
import { RunHistory } from "./run-history.js";
import type { DueRuns } from "./schedule.js";
import { Scheduler } from "./scheduler.js";

/*
 * The cron plugin's working part: the jobs, their timers, their runs and what is kept of them.
 *
 * - One run of a job at a time: a run that comes due while the previous one still goes is skipped,
 *   and the skip is recorded in the history; a manual run is refused while one goes.
 * - At start (the long-running kernel only), the runs that fell due while Aleph was down are
 *   counted from each job's last due time and reported — an event, a log line, a history record —
 *   never run; runs a stop or crash cut short are completed under their own turn id.
 * - A config change is a diff: a job whose schedule, zone or switch changed is timed anew, a
 *   removed one stops being timed (its run going on finishes), the others are left alone.
 */

export interface EngineDeps {
  /** The plugin's data directory (data/cron). */
  dataDir: string;
  clock: CronClock;
  log: Logger;
  agent: () => AgentService | undefined;
  chat: () => ChatService | undefined;
  emit: (event: "cron.run.started" | "cron.run.finished" | "cron.run.missed", payload: Record<string, unknown>) => Promise<void>;
  redact: (text: string) => string;
  /** The plugin's signal: aborted when it stops. */
  signal: AbortSignal;
  /** Runs kept per job (default CRON_HISTORY_KEEP). */
  historyKeep?: number;
}

interface Running {
  runId: string;
  startedAt: number;
  manual: boolean;
  done: Promise<unknown>;
}

/** The longest a stop waits for runs it cut short to wind down. */
const STOP_WAIT_MS = 5000;

export class CronEngine {
  readonly history: RunHistory;
  readonly #state: CronState;
  readonly #run: RunDeps;
  #jobs: Map<string, Job>;
  readonly #running = new Map<string, Running>();
  /** Set once the schedule runs (the long-running kernel): timers, missed runs, completions. */
  #scheduler: Scheduler | undefined;
  #stopped = false;

  constructor(
    private readonly deps: EngineDeps,
    config: CronConfig,
  ) {
    this.history = new RunHistory(join(deps.dataDir, "runs"), deps.log, deps.historyKeep);
    this.#state = new CronState(join(deps.dataDir, "state.json"), deps.log);
    this.#jobs = resolveJobs(config, deps.log);
    this.#run = { agent: deps.agent, chat: deps.chat, history: this.history, state: this.#state, clock: deps.clock, log: deps.log, emit: deps.emit, redact: deps.redact, stopping: deps.signal };
  }

  /** Runs the schedule: reports what was missed, completes what was cut short, times every enabled job. */
  startSchedule(): void {
    if (this.#scheduler || this.#stopped) return;
    this.#scheduler = new Scheduler(this.deps.clock, {
      due: (job, scheduledAt) => this.#due(job, scheduledAt),
      missed: (job, runs) => this.#reportMissed(job, runs, "the timer could not fire (the machine slept or the process was paused)"),
    });
    const now = this.deps.clock.now();
    for (const job of timed(this.#jobs)) {
      const last = this.#state.get(job.id).lastScheduledAt;
      // A job without a last due time is new here: nothing can have been missed.
      const gap = last !== undefined && last < now ? job.schedule!.dueBetween(last, now) : undefined;
      if (gap) this.#reportMissed(job.id, gap, "Aleph was not running");
    }
    for (const id of this.#state.jobs()) {
      const inFlight = this.#state.get(id).inFlight;
      if (inFlight) this.#start(id, { job: id, ...inFlight, resumed: true });
    }
    this.#forgetUntimed();
    for (const job of timed(this.#jobs)) this.#scheduler.set(job.id, job.schedule!);
  }

  /** A config change, applied as a diff. */
  apply(config: CronConfig): void {
    const before = this.#jobs;
    this.#jobs = resolveJobs(config, this.deps.log);
    if (!this.#scheduler) return;
    for (const id of before.keys()) {
      const job = this.#jobs.get(id);
      if (!job || !job.enabled || !job.schedule) this.#scheduler.delete(id);
      if (!job) this.deps.log.info("cron job removed; a run going on finishes", { job: id, running: this.#running.has(id) });
    }
    for (const job of timed(this.#jobs)) {
      const previous = before.get(job.id);
      if (!previous || !this.#scheduler.has(job.id) || timingOf(previous) !== timingOf(job)) {
        this.#scheduler.set(job.id, job.schedule!);
        this.deps.log.info(previous ? "cron job timed anew" : "cron job added", { job: job.id, schedule: job.expression, tz: job.tz, nextRun: this.#scheduler.nextRun(job.id) });
      }
    }
    this.#forgetUntimed();
  }

  jobs(): CronJobView[] {
    const now = this.deps.clock.now();
    return [...this.#jobs.values()].map((job) => {
      const running = this.#running.get(job.id);
      const nextRun = !job.enabled || !job.schedule ? null : this.#scheduler ? this.#scheduler.nextRun(job.id) : job.schedule.next(now);
      return {
        id: job.id,
        schedule: job.expression,
        tz: job.tz,
        agent: job.agent,
        enabled: job.enabled,
        sessionKey: job.sessionKey,
        nextRun,
        running: running ? { runId: running.runId, startedAt: running.startedAt, manual: running.manual } : null,
        lastRun: this.history.last(job.id),
      };
    });
  }

  runs(job: string, limit = 20): CronRunRecord[] {
    const problem = explainInvalidId("job id", job, { maxLength: JOB_ID_MAX });
    if (problem) throw new AlephError("ALEPH_E_INVALID_ID", problem, { fix: "give the id of a job of [[cron.jobs]] (`aleph cron list` shows them)" });
    if (!this.#jobs.has(job) && !existsSync(this.history.fileOf(job))) throw this.#unknown(job);
    return this.history.read(job).reverse().slice(0, limit);
  }

  /** Runs a job now (a manual run), streaming to `push`; `signal`: the caller left (the run is cancelled). */
  async runNow(id: string, push: (event: CronRunEvent) => void, signal: AbortSignal): Promise<CronRunRecord> {
    const job = this.#jobs.get(id);
    if (!job) throw this.#unknown(id);
    const running = this.#running.get(id);
    if (running) {
      throw new AlephError("ALEPH_E_CONFLICT", `cron job "${id}" is running (run ${running.runId}${running.manual ? ", a manual run" : ""}): one run of a job at a time`, {
        fix: `wait for it to finish (\`aleph cron runs ${id}\` shows it once done), then run it again`,
      });
    }
    const startedAt = this.deps.clock.now();
    const request: RunRequest = { job: id, agentId: job.agent, sessionKey: job.sessionKey, text: job.message, runId: manualRunId(id, startedAt), scheduledAt: startedAt, startedAt, manual: true };
    const record = await this.#start(id, request, { signal, push });
    if (!record) throw new AlephError("ALEPH_E_CANCELLED", `the cron plugin stopped during the run of "${id}"; it is completed when Aleph next starts`, { fix: "see `aleph cron runs` after the next start" });
    return record;
  }

  /** Stops the timers and waits (bounded) for the runs the plugin's signal cut short to wind down. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#scheduler?.stop();
    const runs = [...this.#running.values()].map((run) => run.done);
    if (runs.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(runs), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  #due(id: string, scheduledAt: number): void {
    const job = this.#jobs.get(id);
    if (!job || this.#stopped) return;
    this.#state.update(id, (state) => ({ ...state, lastScheduledAt: Math.max(state.lastScheduledAt ?? 0, scheduledAt) }));
    const running = this.#running.get(id);
    if (running) return this.#skip(job, scheduledAt, running);
    this.#start(id, { job: id, agentId: job.agent, sessionKey: job.sessionKey, text: job.message, runId: scheduledRunId(id, scheduledAt), scheduledAt, startedAt: this.deps.clock.now(), manual: false });
  }

  /** Starts a run and tracks it as the job's one run; resolves with its record (undefined: the plugin stopped it). */
  #start(id: string, request: RunRequest, options: Omit<RunOptions, "settled"> = {}): Promise<CronRunRecord | undefined> {
    const entry: Running = { runId: request.runId, startedAt: request.startedAt, manual: request.manual, done: Promise.resolve() };
    const release = () => {
      if (this.#running.get(id) === entry) this.#running.delete(id);
    };
    this.#running.set(id, entry);
    entry.done = executeRun(this.#run, request, { ...options, settled: release })
      .catch((error: unknown) => {
        this.deps.log.error("a cron run failed unexpectedly", { job: id, runId: request.runId, error });
        return undefined;
      })
      .finally(release);
    return entry.done as Promise<CronRunRecord | undefined>;
  }

  #skip(job: Job, scheduledAt: number, running: Running): void {
    this.#keep(skippedRecord(job, scheduledAt, this.deps.clock.now(), running));
    this.deps.log.info("cron run skipped: the previous run is still going", { job: job.id, scheduledAt, running: running.runId });
  }

  #reportMissed(id: string, runs: DueRuns, why: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#keep(missedRecord(job, runs, this.deps.clock.now(), why));
    this.#state.update(id, (state) => ({ ...state, lastScheduledAt: Math.max(state.lastScheduledAt ?? 0, runs.last) }));
    this.deps.log.warn("cron runs missed; they are not replayed", { job: id, count: runs.count, capped: runs.capped, first: runs.first, last: runs.last, why });
    void this.deps.emit("cron.run.missed", { job: id, count: runs.count, first: runs.first, last: runs.last });
  }

  #keep(record: CronRunRecord): void {
    try {
      this.history.append(record);
    } catch (error) {
      this.deps.log.error("a cron record could not be written", { job: record.job, runId: record.runId, error: errorMessage(error) });
    }
  }

  /** Jobs that are not timed (removed, switched off) lose their last due time: when they come back, nothing counts as missed. */
  #forgetUntimed(): void {
    const timedIds = new Set(timed(this.#jobs).map((job) => job.id));
    this.#state.forgetSchedules(this.#state.jobs().filter((id) => !timedIds.has(id)));
  }

  #unknown(job: string): AlephError {
    const known = [...this.#jobs.keys()];
    return new AlephError("ALEPH_E_NOT_FOUND", `no cron job "${job}" in [[cron.jobs]] (configured: ${known.join(", ") || "none"})`, {
      fix: "run `aleph cron list` for the jobs, or add it to config.toml as a [[cron.jobs]] table",
    });
  }
}
