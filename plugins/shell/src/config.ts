import * as z from "@aleph/zod/mini";
import { explainBadPrefix } from "./command-match.js";
import { ENV_NAME_PATTERN, isReservedEnvName } from "./env-names.js";


/*
 * The [tools.shell] section of config.toml, owned by this plugin (a table inside the tools
 * plugin's [tools], which leaves its sub-tables to the tool plugins). Read on every call: a change
 * applies from the next one, without a reload.
 */

/** Seconds a command may run at most, whatever the config says. */
export const MAX_TIMEOUT_SECONDS = 3600;

export const APPROVAL_MODES = ["always", "allowlist", "never"] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

const approvalMode = z
  .enum(APPROVAL_MODES)
  .check(z.describe('"always": ask before every command (but those answered `always`); "allowlist": ask unless the command starts with an allowed prefix; "never": run without asking'));

const prefix = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = explainBadPrefix(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `the prefix ${JSON.stringify(value)} ${problem}` });
  }),
);
const prefixes = z.array(prefix).check(z.describe('command prefixes run without asking under approval = "allowlist", matched word by word (`git status` allows `git status --short`)'));

// A variable name that may be handed to commands: portable, and never one of Aleph's own.
function explainBadEnvName(name: string): string | undefined {
  if (!ENV_NAME_PATTERN.test(name)) return `${JSON.stringify(name)} must be an environment variable name (letters, digits, _; not starting with a digit)`;
  if (isReservedEnvName(name)) return `${name}: ALEPH_* variables (the vault passphrase, the state root…) are never passed to commands; remove it`;
  return undefined;
}
const envName = z.string().check(
  z.superRefine((name, ctx) => {
    const problem = explainBadEnvName(name);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
);
// Keys checked here rather than by a key schema, whose failure zod reports as "Invalid key in record".
const envTable = z.record(z.string(), z.string()).check(
  z.superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      const problem = explainBadEnvName(name);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  }),
);

const perAgent = z.strictObject({
  approval: z.optional(approvalMode).check(z.describe("this agent's approval mode (default: [tools.shell] approval)")),
  allow: z.optional(prefixes).check(z.describe("this agent's prefixes; replaces [tools.shell] allow for it")),
});

export const shellConfigSchema = z.strictObject({
  approval: z._default(approvalMode, "always"),
  allow: z._default(prefixes, []),
  timeout_seconds: z
    ._default(z.number().check(z.positive(), z.maximum(MAX_TIMEOUT_SECONDS)), 60)
    .check(z.describe("seconds a command runs before its process group is stopped; also the most a call may ask for")),
  max_output_bytes: z
    ._default(z.number().check(z.int(), z.minimum(1024), z.maximum(16 * 1024 * 1024)), 64 * 1024)
    .check(z.describe("bytes of stdout, and of stderr, returned at most; the middle of longer output is cut with a marker")),
  pass_env: z._default(z.array(envName), []).check(z.describe("variables of Aleph's environment passed on to commands, besides PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TERM, TZ, TMPDIR")),
  env: z._default(envTable, {}).check(z.describe("variables set for every command (they win over inherited ones)")),
  agents: z._default(z.record(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)), perAgent), {}).check(z.describe("per-agent approval and allow ([tools.shell.agents.<id>])")),
});

export type ShellConfig = z.output<typeof shellConfigSchema>;

/** The approval rules for one agent: its own, or the section's. */
export function approvalRulesFor(config: ShellConfig, agentId: string): { mode: ApprovalMode; allow: readonly string[] } {
  const own = config.agents[agentId];
  return { mode: own?.approval ?? config.approval, allow: own?.allow ?? config.allow };
}
