import { CommandUsageError, skillsRef, type CommandInput, type ServiceCaller, type SkillIssue, type SkillsService } from "@aleph/plugin-sdk";

/* What the `aleph skills …` handlers share. */

/** The skills service of the kernel the command runs against. */
export function skillsOf(cmd: CommandInput): ServiceCaller<SkillsService> {
  return cmd.kernel.service(skillsRef);
}

/** `--agent`, default main. */
export function agentOption(cmd: CommandInput): string {
  const agent = cmd.options.agent;
  if (agent === undefined) return "main";
  if (typeof agent !== "string" || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(agent)) throw new CommandUsageError(`--agent "${String(agent)}" is not an agent id (lowercase letters, digits, - and _)`);
  return agent;
}

/** A positional argument that must be there. */
export function argument(cmd: CommandInput, name: string): string {
  const value = cmd.args[name];
  const text = (Array.isArray(value) ? value.join(" ") : (value ?? "")).trim();
  if (!text) throw new CommandUsageError(`give the ${name}`);
  return text;
}

/** An issue as a line of output: `file:line: what`. */
export function issueLine(issue: SkillIssue, kind: "error" | "warning"): string {
  return `${issue.file}${issue.line !== undefined ? `:${issue.line}` : ""}: ${kind}: ${issue.message}\n`;
}

/** A time as a short local-independent text. */
export function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}
