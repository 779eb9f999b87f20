/*
 * The cron plugin's working code (dist/runtime.js), imported by the entry only when a job is
 * configured (or a command asks): the scheduler, the runs and their history, and croner. A kernel
 * with no [[cron.jobs]] never loads it.
 */
import type { CronConfig } from "./config.js";
import { CronEngine, type EngineDeps } from "./runtime/engine.js";

export { CronEngine, type EngineDeps } from "./runtime/engine.js";

export function createCronEngine(deps: EngineDeps, config: CronConfig): CronEngine {
  return new CronEngine(deps, config);
}
