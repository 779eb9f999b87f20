import { createCronPlugin } from "./plugin.js";

/*
 * The cron plugin's entry, imported at every kernel start: the `cron` service and the [cron]
 * config. The scheduler and croner (dist/runtime.js) are imported only when a job is configured.
 */
export default createCronPlugin();
