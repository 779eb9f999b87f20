/** The kernel worker could not start (config invalid, a bad profile): the supervisor stops, it does not restart. */
export const EXIT_START_FAILED = 78;
/** `aleph start`'s exit code when the kernel did not stop within [extensions] shutdown_timeout_ms and was killed. */
export const EXIT_SHUTDOWN_KILLED = 124;
