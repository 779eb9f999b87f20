import { AlephError, REDACTED, SECRET_KEY_PATTERN, type ConfigFileName, type SecretRedactor } from "@aleph/plugin-sdk";
import { parseToml, type ConfigSnapshot } from "./config-loader.js";

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * The value at a dotted key path of config.toml or providers.toml in `snapshot` (`ctx.configValue`),
 * or undefined when it is not set. The caller gets a copy, redacted: a secret-named key on the way
 * (`providers.openai.api_key`) or below (`providers.openai` → `{ api_key: "[redacted]" }`) reads
 * "[redacted]", and so does any known secret value wherever it appears (a `keys:` or `${ENV}`
 * value under any name). Plugin sections read as written: their owner's defaults are not applied.
 */
export function lookupConfigValue(snapshot: ConfigSnapshot, redactor: SecretRedactor, path: string, file: ConfigFileName = "config"): unknown {
  if (file !== "config" && file !== "providers") {
    throw new AlephError("ALEPH_E_USAGE", `unknown config file "${String(file)}"`, { fix: 'use { file: "config" } (config.toml) or { file: "providers" } (providers.toml)' });
  }
  const segments = typeof path === "string" ? path.split(".") : [];
  if (segments.length === 0 || !segments.every((s) => KEY_SEGMENT.test(s))) {
    throw new AlephError("ALEPH_E_USAGE", `invalid config key path ${JSON.stringify(path)}`, {
      fix: "give dotted TOML keys, e.g. gateway.port or interfaces.telegram.enabled (an array element by its index: agents.0.id)",
    });
  }
  let value: unknown = file === "config" ? snapshot.config : snapshot.providers;
  for (const segment of segments) {
    if (value === null || typeof value !== "object" || value instanceof Date) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (segments.some((s) => SECRET_KEY_PATTERN.test(s)) && value !== undefined && value !== null && value !== "") return REDACTED;
  return redactedCopy(value, redactor);
}

/**
 * Where the value at a dotted key path comes from, as written in the file (`ctx.configOrigin`):
 * `keys:<name>` for a vault reference, `env:<NAME>` for a value that interpolates `${NAME}` (the
 * first one), `file` for a literal, undefined when the key is not set. Never the value itself, so a
 * listing can say where a credential comes from without holding it.
 */
export function lookupConfigOrigin(snapshot: ConfigSnapshot, path: string, file: ConfigFileName = "config"): string | undefined {
  if (lookupConfigValue(snapshot, { redact: (t: string) => t } as SecretRedactor, path, file) === undefined) return undefined;
  const parsed = parseToml(file === "config" ? snapshot.text.config : snapshot.text.providers, file);
  if (!parsed.ok) return undefined;
  let value: unknown = parsed.value;
  for (const segment of path.split(".")) {
    if (value === null || typeof value !== "object") return "file";
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value !== "string") return "file";
  const vault = /^keys:([\s\S]*)$/.exec(value);
  if (vault) return `keys:${vault[1]}`;
  const env = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(value);
  return env ? `env:${env[1]}` : "file";
}

/** A deep copy with secret-named keys and known secret values replaced (dates stay dates). */
function redactedCopy(value: unknown, redactor: SecretRedactor): unknown {
  if (typeof value === "string") return redactor.redact(value);
  if (value instanceof Date) return new Date(value.getTime());
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactedCopy(v, redactor));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY_PATTERN.test(key) && v !== undefined && v !== null && v !== "" ? REDACTED : redactedCopy(v, redactor);
  }
  return out;
}
