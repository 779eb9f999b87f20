import { AlephError } from "./errors.js";

/** Plugin ids: lowercase letters, digits and dashes, starting with a letter or digit, at most 64. */
export const PLUGIN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Ids that name things on disk (agents, chats, skills, profiles): a safe single path segment. */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface IdRule {
  pattern?: RegExp;
  maxLength?: number;
  /** What the pattern allows, in words, for the fix of an error (e.g. 'lowercase letters, digits and "-"'). */
  allowed?: string;
}

/** The rule of plugin ids (and of names that become one: `aleph plugins new <name>`, profiles). */
export const PLUGIN_ID_RULE: Readonly<Required<IdRule>> = {
  pattern: PLUGIN_ID_PATTERN,
  maxLength: 64,
  allowed: 'lowercase letters, digits and "-", starting with a letter or digit',
};

const SAFE_ID_ALLOWED = 'letters, digits, ".", "_" or "-", starting with a letter or digit';

/**
 * Explains why `value` cannot be an id of `kind`, or returns undefined when it can.
 * Every id that becomes a path goes through here: `..`, `/`, `\`, NUL, control characters,
 * empty and over-long values are refused with a reason a user can act on.
 */
export function explainInvalidId(kind: string, value: unknown, rule: IdRule = {}): string | undefined {
  const maxLength = rule.maxLength ?? 128;
  const pattern = rule.pattern ?? SAFE_ID_PATTERN;
  if (typeof value !== "string") return `${kind} must be a string, got ${value === null ? "null" : typeof value}`;
  if (value.length === 0) return `${kind} is empty`;
  if (value.length > maxLength) return `${kind} is ${value.length} characters long, the limit is ${maxLength}`;
  if (value.includes("\0")) return `${kind} contains a NUL byte`;
  if (value.includes("/") || value.includes("\\")) return `${kind} "${value}" contains a path separator`;
  if (value === "." || value === ".." || value.includes("..")) return `${kind} "${value}" contains ".."`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${kind} contains a control character`;
  if (!pattern.test(value)) return `${kind} "${value}" does not match ${pattern}`;
  return undefined;
}

/** Returns `value` when it is a valid id of `kind`, else throws ALEPH_E_INVALID_ID saying why. */
export function validateId(kind: string, value: unknown, rule: IdRule = {}): string {
  const problem = explainInvalidId(kind, value, rule);
  if (problem) {
    // The fix states the rule that applies: a custom pattern is never described as the default one.
    const allowed = rule.allowed ?? (rule.pattern === undefined || rule.pattern === SAFE_ID_PATTERN ? SAFE_ID_ALLOWED : undefined);
    const pattern = (rule.pattern ?? SAFE_ID_PATTERN).source;
    throw new AlephError("ALEPH_E_INVALID_ID", problem, {
      fix: `${allowed ? `use ${allowed} (pattern ${pattern})` : `use a value matching ${pattern}`}, at most ${rule.maxLength ?? 128} characters`,
    });
  }
  return value as string;
}
