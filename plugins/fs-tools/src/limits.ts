/*
 * Caps that keep one tool call from flooding the model's context or pinning the process. They are
 * constants, not config: a model that hits one is told so and narrows its question.
 */

/** Paths glob returns at most. */
export const GLOB_MAX_RESULTS = 1000;
/** Matching lines grep returns at most. */
export const GREP_MAX_MATCHES = 200;
/** A matching line longer than this is cut in grep's output. */
export const GREP_MAX_LINE_CHARS = 400;
/** grep skips files larger than this (generated bundles, logs, data). */
export const GREP_MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Entries a walk (glob, grep) visits at most before it stops and says so. */
export const WALK_MAX_ENTRIES = 100_000;
/** Entries list_dir returns at most. */
export const LIST_MAX_ENTRIES = 2000;
/** edit_file reads the whole file: larger ones are refused. */
export const EDIT_MAX_FILE_BYTES = 16 * 1024 * 1024;
/** The head of a file checked for NUL bytes to call it binary (as git does). */
export const BINARY_SNIFF_BYTES = 8192;
/** Folders a walk never enters: dependencies and version control, never what is asked about. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(["node_modules", ".git"]);
