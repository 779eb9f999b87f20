import { definePlugin, importSibling } from "@aleph/plugin-sdk";
import { clockFromEnv, TIME_SCALE_VARIABLE, type CronClock } from "./clock.js";
import { cronConfigSchema } from "./config.js";
import { CronHost, type CronRuntime } from "./host.js";
import { cronRef } from "./service.js";

export interface CronPluginOptions {
  /** The scheduler's clock (default: the system's, or ALEPH_TEST_CRON_TIME_SCALE's). */
  clock?: CronClock;
  /** How the engine is loaded (default: dist/runtime.js beside the entry, on first need). */
  runtime?: () => Promise<CronRuntime>;
  /** Runs kept per job's history (default 1000). */
  historyKeep?: number;
}

const runtimeModule = () => importSibling<CronRuntime>(import.meta.url, "runtime");

/** The cron plugin's definition; the entry exports it with the defaults, tests with their own clock. */
export function createCronPlugin(options: CronPluginOptions = {}) {
  return definePlugin({
    // The [cron] section of config.toml: its [[cron.jobs]].
    config: cronConfigSchema,

    setup(ctx) {
      let clock = options.clock;
      if (!clock) {
        const chosen = clockFromEnv(process.env);
        clock = chosen.clock;
        if (chosen.scale) ctx.log.warn(`${TIME_SCALE_VARIABLE} is set: the cron clock runs ${chosen.scale}x faster than real time (for tests only)`);
        if (chosen.ignored) ctx.log.warn(`${TIME_SCALE_VARIABLE} is ignored: "${chosen.ignored}" is not a number from 1 to 3600 (it is for tests only)`);
      }
      const host = new CronHost(ctx, { clock, loadRuntime: options.runtime ?? runtimeModule, ...(options.historyKeep !== undefined ? { historyKeep: options.historyKeep } : {}) });
      ctx.services.provide(cronRef, host.service);
      ctx.onConfigChange((next) => host.apply(next));
      // Timers, missed runs and completions belong to the long-running kernel, once everything is up —
      // never to a kernel started for one command, which ends before a schedule would come due.
      if (ctx.kernelRole === "service") ctx.onReady(() => host.startSchedule());
      ctx.onDispose(() => host.stop());
    },
  });
}
