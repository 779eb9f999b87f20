/*
 * Names of environment variables: which the command inherits by default, and which it never gets.
 * Data only (the config schema in the entry checks names against it).
 */

/** What every command inherits from Aleph's own environment, when set: enough to find programs and speak the locale. */
export const INHERITED_ENV_NAMES: readonly string[] = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TZ", "TMPDIR"];

/** Inherited by prefix: the locale categories (LC_ALL, LC_CTYPE, …). */
export const INHERITED_ENV_PREFIX = "LC_";

/** A portable variable name. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Aleph's own variables — ALEPH_VAULT_PASSPHRASE above all, which opens the keys vault, and the
 * ALEPH_* overrides of the state root and config — never reach a command, even when listed in
 * [tools.shell] pass_env or env. Matched regardless of case: a lookalike name gains nothing.
 */
export function isReservedEnvName(name: string): boolean {
  return /^ALEPH_/i.test(name);
}
