/*
 * The page's "interactive" moment, as a User Timing mark the benchmark and tests read:
 * `aleph-interactive` is set once, when the first screen a person can act on is rendered — the
 * login form ready for input, or (with a valid cookie) the views with the WebSocket open.
 */
export const INTERACTIVE_MARK = "aleph-interactive";

export function markInteractive(): void {
  if (performance.getEntriesByName(INTERACTIVE_MARK, "mark").length === 0) performance.mark(INTERACTIVE_MARK);
}
