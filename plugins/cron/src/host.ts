import { existsSync } from "node:fs";
import { join } from "node:path";
import { agentRef, AlephError, chatRef, errorMessage, eventChannel, type PluginContext } from "@aleph/plugin-sdk";
import type { CronClock } from "./clock.js";
import { enabledJobs, type CronConfig } from "./config.js";
import type { CronRunEvent, CronService } from "./service.js";
import type { CronEngine } from "./runtime/engine.js";

/** The runtime module (dist/runtime.js), or a stand-in a test gives. */
export type CronRuntime = Pick<typeof import("./runtime.js"), "createCronEngine">;

export interface CronHostOptions {
  clock: CronClock;
  loadRuntime: () => Promise<CronRuntime>;
  historyKeep?: number;
}

/*
 * The part of the plugin that runs at every kernel start, kept small: the `cron` service and the
 * config. The engine (scheduler, runs, history, croner) is imported on first need — a job to time,
 * a question from a command — so a kernel without jobs never loads it. Only the long-running
 * kernel runs the schedule; a kernel started for one command answers `list`/`runs` and runs
 * `run-now`, and leaves timers, missed runs and completions to `aleph start`.
 */
export class CronHost {
  #config: CronConfig;
  #engine: Promise<CronEngine | undefined> | undefined;
  #runtimeError: string | undefined;
  /** The schedule should run here (the long-running kernel, once ready). */
  #scheduling = false;
  #stopped = false;

  constructor(
    private readonly ctx: PluginContext<CronConfig>,
    private readonly options: CronHostOptions,
  ) {
    this.#config = ctx.config;
  }

  /** The long-running kernel is ready: run the schedule when there are jobs (or state to tidy). */
  async startSchedule(): Promise<void> {
    this.#scheduling = true;
    if (enabledJobs(this.#config).length === 0 && !this.#hasState()) return;
    (await this.#loadEngine())?.startSchedule();
  }

  /** A change of [cron]: applied as a diff, without a reload. */
  async apply(config: CronConfig): Promise<void> {
    this.#config = config;
    if (this.#engine) {
      const engine = await this.#engine;
      engine?.apply(config);
      // An engine a command's question loaded before any job was timed starts timing now.
      if (this.#scheduling) engine?.startSchedule();
      return;
    }
    if (this.#scheduling && enabledJobs(config).length > 0) (await this.#loadEngine())?.startSchedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const engine = await this.#engine?.catch(() => undefined);
    await engine?.stop();
  }

  readonly service: CronService = {
    jobs: async () => {
      if (this.#config.jobs.length === 0 && !this.#engine) return [];
      return (await this.#engineOrThrow()).jobs();
    },
    runs: async (job, options = {}) => (await this.#engineOrThrow()).runs(job, options.limit),
    runNow: (job) =>
      eventChannel<CronRunEvent>(async (push, signal) => {
        const engine = await this.#engineOrThrow();
        await engine.runNow(job, push, signal);
      }),
  };

  /**
   * Whether data/cron/state.json exists (<root>/data/<id>, the documented layout, read without
   * touching ctx.paths.data, which would create the directory at every start).
   */
  #hasState(): boolean {
    return existsSync(join(this.ctx.paths.root, "data", this.ctx.id, "state.json"));
  }

  async #engineOrThrow(): Promise<CronEngine> {
    const engine = await this.#loadEngine();
    if (engine) return engine;
    throw new AlephError("ALEPH_E_CRON_UNAVAILABLE", this.#runtimeError ?? "the cron plugin is stopping", {
      fix: "reinstall aleph (the cron plugin's dist/runtime.js or its croner dependency is missing)",
    });
  }

  #loadEngine(): Promise<CronEngine | undefined> {
    this.#engine ??= this.options.loadRuntime().then(
      (runtime) => {
        if (this.#stopped) return undefined;
        const { ctx } = this;
        return runtime.createCronEngine(
          {
            dataDir: ctx.paths.data,
            clock: this.options.clock,
            log: ctx.log,
            // Looked up per run: an agent or chat plugin that reloads is picked up without reloading cron.
            agent: () => ctx.services.getOptional(agentRef),
            chat: () => ctx.services.getOptional(chatRef),
            emit: (event, payload) => this.#emit(event, payload),
            redact: (text) => ctx.redact(text),
            signal: ctx.signal,
            ...(this.options.historyKeep !== undefined ? { historyKeep: this.options.historyKeep } : {}),
          },
          this.#config,
        );
      },
      (error: unknown) => {
        this.#runtimeError = `the cron scheduler could not be loaded: ${errorMessage(error)}`;
        this.ctx.log.error("the cron scheduler could not be loaded; no job runs", { error });
        return undefined;
      },
    );
    return this.#engine;
  }

  async #emit(event: string, payload: Record<string, unknown>): Promise<void> {
    try {
      await this.ctx.events.emit(event, payload as never);
    } catch {
      // The plugin is unloading: nobody left to tell.
    }
  }
}
