import { INHERITED_ENV_NAMES, INHERITED_ENV_PREFIX, isReservedEnvName } from "./env-names.js";

/*
 * The environment a command gets: built up from an allow-list, never Aleph's environment minus a
 * deny-list — whatever a provider, the vault or the launcher put in process.env stays there unless
 * it is named here. On top of that, a value holding a secret the kernel knows (a vault value, a
 * credential from config.toml, the vault passphrase) is withheld whatever its name. PATH keeps only
 * absolute folders: a relative entry ("." or an empty one) would look programs up in the folder the
 * command starts in — the agent's workspace, which the agent writes — so an allowed `git status`
 * could run a `git` the agent put there.
 */

export interface CommandEnvOptions {
  /** Aleph's own environment (process.env). */
  source: Readonly<Record<string, string | undefined>>;
  /** [tools.shell] pass_env: further names taken from `source`. */
  passEnv: readonly string[];
  /** [tools.shell] env: values set for every command. */
  env: Readonly<Record<string, string>>;
  /** True when a value contains a secret the kernel knows (ctx.redact would change it). */
  holdsSecret(value: string): boolean;
}

export interface CommandEnv {
  env: Record<string, string>;
  /** Names left out because their value holds a secret (never the values). */
  withheld: string[];
}

export function buildCommandEnv(options: CommandEnvOptions): CommandEnv {
  const candidates: Record<string, string> = {};
  const inherit = (name: string) => {
    const value = options.source[name];
    if (value !== undefined) candidates[name] = value;
  };
  for (const name of INHERITED_ENV_NAMES) inherit(name);
  for (const name of Object.keys(options.source)) if (name.startsWith(INHERITED_ENV_PREFIX)) inherit(name);
  for (const name of options.passEnv) inherit(name);
  Object.assign(candidates, options.env);

  if (candidates.PATH !== undefined) candidates.PATH = absoluteEntries(candidates.PATH);

  const env: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(candidates)) {
    // The config schema refuses ALEPH_* names already; this holds even for a schema bypassed.
    if (isReservedEnvName(name)) continue;
    if (options.holdsSecret(value)) withheld.push(name);
    else env[name] = value;
  }
  return { env, withheld: withheld.sort() };
}

/** A PATH value without its relative entries (an empty entry means the current folder). */
export function absoluteEntries(path: string): string {
  return path
    .split(":")
    .filter((entry) => entry.startsWith("/"))
    .join(":");
}
