import { readFileSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import type { ConfigIssue } from "@aleph/plugin-sdk";
import { configFileSchema, providersFileSchema, type KernelConfig, type ProvidersConfig } from "./config-schema.js";
import { collectSecrets } from "./redact.js";
import { locateTomlKey } from "./toml-locate.js";

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
export function zodIssues(error: z.ZodError, file: string, text: string, prefix: string[] = []): ConfigIssue[] {
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

function loadOne<S extends z.ZodType>(file: string, schema: S, env: Env): { ok: true; value: z.output<S>; text: string } | { ok: false; issues: ConfigIssue[] } {
  const text = readOptional(file) ?? "";
  const parsed = parseToml(text, file);
  if (!parsed.ok) return { ok: false, issues: [parsed.issue] };
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(parsed.value, env, file, text, [], issues);
  if (issues.length > 0) return { ok: false, issues };
  const result = schema.safeParse(interpolated);
  if (!result.success) return { ok: false, issues: zodIssues(result.error, file, text) };
  return { ok: true, value: result.data, text };
}

/** Reads, interpolates and validates both config files. Missing files mean defaults. */
export function loadConfig(files: ConfigFiles, env: Env = process.env): ConfigResult {
  const config = loadOne(files.config, configFileSchema, env);
  const providers = loadOne(files.providers, providersFileSchema, env);
  const issues = [...(config.ok ? [] : config.issues), ...(providers.ok ? [] : providers.issues)];
  if (!config.ok || !providers.ok) return { ok: false, issues };
  const secrets = collectSecrets(config.value);
  collectSecrets(providers.value, secrets);
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
