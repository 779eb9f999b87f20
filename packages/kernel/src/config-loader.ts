import { readFileSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import type { z } from "./zod-mini.js";
import type { $ZodError } from "zod/v4/core";
import { errorMessage, explainInvalidId, isAlephError, readKeySync, VAULT_PASSPHRASE_ENV, type ConfigIssue } from "@aleph/plugin-sdk";
import { configFileSchema, providersFileSchema, type KernelConfig, type ProvidersConfig } from "./config-schema.js";
import { collectSecrets, locateTomlKey } from "@aleph/plugin-sdk";

type Env = Record<string, string | undefined>;

export interface ConfigFiles {
  config: string;
  providers: string;
}

/** One consistent reading of config.toml and providers.toml. */
export interface ConfigSnapshot {
  config: KernelConfig;
  providers: ProvidersConfig;
  files: ConfigFiles;
  /** The TOML text, kept to locate the line of a plugin-section error. */
  text: { config: string; providers: string };
  /** Secret values found in either file, for redaction. */
  secrets: Set<string>;
}

/** Where `keys:<name>` references resolve: the keys vault. */
export interface LoadConfigOptions {
  /** The vault directory (AlephPaths.credentialsDir). Without it a `keys:` reference is an issue. */
  credentialsDir?: string;
  /** ALEPH_VAULT_PASSPHRASE, for encrypted keys (empty counts as unset). */
  passphrase?: string;
}

/** The vault options for a workspace: its credentials dir and ALEPH_VAULT_PASSPHRASE from `env`. */
export function vaultOptions(paths: { credentialsDir: string }, env: Env): LoadConfigOptions {
  return { credentialsDir: paths.credentialsDir, passphrase: env[VAULT_PASSPHRASE_ENV] };
}

export type ConfigResult = { ok: true; snapshot: ConfigSnapshot } | { ok: false; issues: ConfigIssue[] };

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Parses TOML; a syntax error becomes an issue with its line. */
export function parseToml(text: string, file: string): { ok: true; value: Record<string, unknown> } | { ok: false; issue: ConfigIssue } {
  try {
    return { ok: true, value: parse(text) as Record<string, unknown> };
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      return { ok: false, issue: { file, path: "", message: `invalid TOML: ${firstLine}`, line: error.line } };
    }
    return { ok: false, issue: { file, path: "", message: `invalid TOML: ${(error as Error).message}` } };
  }
}

const ENV_REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string value with the environment variable; `$${NAME}` stays literal.
 * A reference to an unset variable is an issue at its key, never a silent empty string.
 */
export function interpolateEnv(value: unknown, env: Env, file: string, text: string, path: string[] = [], issues: ConfigIssue[] = []): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(ENV_REFERENCE, (whole, escape: string, name: string) => {
      if (escape) return whole.slice(1);
      const resolved = env[name];
      if (resolved === undefined) {
        issues.push({ file, path: path.join("."), message: `references \${${name}}, which is not set in the environment`, line: locateTomlKey(text, path) });
        return "";
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, file, text, [...path, String(i)], issues));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, file, text, [...path, k], issues);
    return out;
  }
  return value;
}

/** Maps zod issues to config issues with key paths and lines. */
export function zodIssues(error: $ZodError, file: string, text: string, prefix: string[] = []): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)];
    // An unrecognized key is reported at the key itself, so the line points at the typo.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        file,
        path: [...base, key].join("."),
        message: `unknown key "${key}"${base.length ? ` in [${base.join(".")}]` : ""}`,
        line: locateTomlKey(text, [...base, key]),
      }));
    }
    return [{ file, path: base.join("."), message: issue.message, line: locateTomlKey(text, base) }];
  });
}

/** A whole string value `keys:<name>` is a reference to the vault. */
const VAULT_REFERENCE = /^keys:([\s\S]*)$/;

interface VaultContext extends LoadConfigOptions {
  /** Every value resolved from the vault, for redaction whatever its key is called. */
  secrets: Set<string>;
  /** One load reads (and decrypts) each key once. */
  cache: Map<string, { value: string } | { problem: string }>;
}

function resolveKey(vault: VaultContext, name: string): { value: string } | { problem: string } {
  const cached = vault.cache.get(name);
  if (cached) return cached;
  let result: { value: string } | { problem: string };
  const invalid = explainInvalidId("key name", name);
  if (invalid) result = { problem: `references keys:${name}: ${invalid}` };
  else if (!vault.credentialsDir) result = { problem: `references keys:${name}, but no keys vault is available here` };
  else {
    try {
      result = { value: readKeySync(vault.credentialsDir, name, vault.passphrase) };
    } catch (error) {
      // Vault errors never quote a value; anything else is reported by its message alone.
      const reason = isAlephError(error) ? errorMessage(error) : `cannot read key "${name}": ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`;
      const fix = reason.startsWith("no key ") ? ` (store it with \`aleph keys set ${name}\`)` : "";
      result = { problem: `references keys:${name}: ${reason}${fix}` };
    }
  }
  vault.cache.set(name, result);
  return result;
}

/**
 * Resolves the values of one file: a whole string `keys:<name>` (as written in the file) is
 * replaced by that key's value from the vault, used verbatim; every other string goes through
 * `${ENV}` interpolation. A key that is missing or cannot be decrypted is an issue at its key
 * path, like an unset variable.
 */
export function resolveValues(value: unknown, env: Env, vault: VaultContext, file: string, text: string, path: string[] = [], issues: ConfigIssue[] = []): unknown {
  if (typeof value === "string") {
    const reference = VAULT_REFERENCE.exec(value);
    if (!reference) return interpolateEnv(value, env, file, text, path, issues);
    const resolved = resolveKey(vault, reference[1]!);
    if ("problem" in resolved) {
      issues.push({ file, path: path.join("."), message: resolved.problem, line: locateTomlKey(text, path) });
      return "";
    }
    vault.secrets.add(resolved.value);
    return resolved.value;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValues(v, env, vault, file, text, [...path, String(i)], issues));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveValues(v, env, vault, file, text, [...path, k], issues);
    return out;
  }
  return value;
}

function loadOne<S extends z.ZodMiniType>(file: string, schema: S, env: Env, vault: VaultContext): { ok: true; value: z.output<S>; text: string } | { ok: false; issues: ConfigIssue[] } {
  const text = readOptional(file) ?? "";
  const parsed = parseToml(text, file);
  if (!parsed.ok) return { ok: false, issues: [parsed.issue] };
  const issues: ConfigIssue[] = [];
  const resolved = resolveValues(parsed.value, env, vault, file, text, [], issues);
  if (issues.length > 0) return { ok: false, issues };
  const result = schema.safeParse(resolved);
  if (!result.success) return { ok: false, issues: zodIssues(result.error, file, text) };
  return { ok: true, value: result.data, text };
}

/**
 * Reads, interpolates and validates both config files. Missing files mean defaults.
 * `keys:<name>` values resolve through the vault in `options.credentialsDir`; the values they
 * resolve to join `secrets` whatever their key is called.
 */
export function loadConfig(files: ConfigFiles, env: Env = process.env, options: LoadConfigOptions = {}): ConfigResult {
  const vault: VaultContext = { ...options, secrets: new Set(), cache: new Map() };
  const config = loadOne(files.config, configFileSchema, env, vault);
  const providers = loadOne(files.providers, providersFileSchema, env, vault);
  const issues = [...(config.ok ? [] : config.issues), ...(providers.ok ? [] : providers.issues)];
  if (!config.ok || !providers.ok) return { ok: false, issues };
  const secrets = collectSecrets(config.value);
  collectSecrets(providers.value, secrets);
  for (const secret of vault.secrets) secrets.add(secret);
  // The passphrase is never a config value, but it must not reach a log line either.
  if (options.passphrase) secrets.add(options.passphrase);
  return {
    ok: true,
    snapshot: { config: config.value, providers: providers.value, files, text: { config: config.text, providers: providers.text }, secrets },
  };
}

/** Formats an issue as one line: file:line: key: message. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

/** The top-level sections whose content differs between two readings (providers.toml counts as "providers"). */
export function changedSections(before: ConfigSnapshot, after: ConfigSnapshot): string[] {
  const keys = new Set([...Object.keys(before.config), ...Object.keys(after.config)]);
  const changed = [...keys].filter((key) => !deepEqual((before.config as Record<string, unknown>)[key], (after.config as Record<string, unknown>)[key]));
  if (!deepEqual(before.providers, after.providers)) changed.push("providers");
  return changed.sort();
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
