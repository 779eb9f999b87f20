import { AlephError } from "@aleph/plugin-sdk";
import { describeControl, shellControlIn } from "./command-match.js";
import type { ApprovalMode } from "./config.js";

/*
 * What the model is told when a command was not approved: that nothing ran and why (the message),
 * and how the command could run — what a person would change in config.toml (the fix; the agent
 * loop gives the model both).
 */

/** The reason when no approvals service is there to ask anyone. */
export const NO_APPROVALS_SERVICE = "no approvals service is running to ask a person (it comes with the bundled tools plugin)";

export interface DenialInput {
  command: string;
  agent: string;
  mode: ApprovalMode;
  allow: readonly string[];
  reason: string;
  by: string;
}

export function denialError(input: DenialInput): AlephError {
  const why = input.mode === "always" ? `approval = "always": every command is asked about` : `approval = "allowlist": ${allowlistMiss(input)}`;
  const howToAllow = `To run commands like it without asking, a person can set approval = "allowlist" with a matching prefix in allow (in [tools.shell] or [tools.shell.agents.${input.agent}] of config.toml), or answer \`always\` when asked, which remembers this exact command for agent ${input.agent}.`;
  return new AlephError("ALEPH_E_DENIED", `the shell command was denied and did not run: ${input.reason} (decided by ${input.by}). For agent ${input.agent}, ${why}.`, {
    fix: howToAllow,
  });
}

function allowlistMiss(input: DenialInput): string {
  const control = shellControlIn(input.command);
  if (control !== undefined) return `the command contains ${describeControl(control)}, and a command with shell control (chaining, pipes, redirects, substitution) never matches an allowed prefix — run its parts as separate calls`;
  if (input.allow.length === 0) return "no command prefixes are allowed";
  return `it starts with none of the allowed prefixes (${input.allow.map((p) => `\`${p}\``).join(", ")})`;
}
