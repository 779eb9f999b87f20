import { matchingPrefix } from "./command-match.js";
import type { ApprovalMode } from "./config.js";

/*
 * Whether a command runs without asking anyone, by the agent's approval mode:
 *   never     → runs;
 *   allowlist → runs when it starts with an allowed prefix (see command-match.ts) or was
 *               remembered, else a person is asked;
 *   always    → runs only when remembered (answered `always` before), else a person is asked.
 */

/** Why a command runs without asking. */
export type PolicyRule = { rule: "never" } | { rule: "allow"; prefix: string } | { rule: "remembered" };

export interface PolicyInput {
  mode: ApprovalMode;
  allow: readonly string[];
  command: string;
  /** Whether the command was remembered for the agent (looked up only when it matters). */
  isRemembered(): Promise<boolean>;
}

/** The rule that lets the command run without asking, or undefined when a person must be asked. */
export async function runsWithoutAsking(input: PolicyInput): Promise<PolicyRule | undefined> {
  if (input.mode === "never") return { rule: "never" };
  if (input.mode === "allowlist") {
    const prefix = matchingPrefix(input.command, input.allow);
    if (prefix !== undefined) return { rule: "allow", prefix };
  }
  return (await input.isRemembered()) ? { rule: "remembered" } : undefined;
}

/** The rule as one word or phrase for the audit log. */
export function describeRule(rule: PolicyRule): string {
  return rule.rule === "allow" ? `allow: ${rule.prefix}` : rule.rule;
}
