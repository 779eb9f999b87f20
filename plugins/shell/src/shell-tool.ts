import { AlephError, errorMessage, isAlephError, type ApprovalDecision, type ApprovalsService, type ToolCallContext } from "@aleph/plugin-sdk";
import { describeRule, runsWithoutAsking } from "./approval-policy.js";
import { ApprovedCommands } from "./approved-store.js";
import { approvalRulesFor, type ShellConfig } from "./config.js";
import { denialError, NO_APPROVALS_SERVICE } from "./denial.js";
import { buildCommandEnv } from "./environment.js";
import { runCommand, type RunCommandResult } from "./run-command.js";
import { createShellAuditor, type ShellAuditCommon } from "./shell-audit.js";
import type { ShellArgs } from "./tool-spec.js";
import { resolveWorkingDir, type WorkingDir } from "./working-dir.js";

/*
 * One call of the shell tool, start to end: check the arguments, find where it starts, let it
 * through or ask a person (and audit how), build its environment, run it, audit how it ended,
 * and hand the model its output scrubbed of known secrets.
 */

export interface ShellToolOptions {
  /** The state root (its audit/ folder takes the records). */
  root: string;
  /** The plugin's id: the actor of its audit records. */
  actor: string;
  /** Where `always` answers are remembered (<root>/data/shell/approved.json). */
  approvedFile: string;
  /** The [tools.shell] section in force (read once per call). */
  config(): ShellConfig;
  /** The agent's workspace folder; undefined when the agent is not declared. */
  workspaceOf(agentId: string): string | undefined;
  /** The approvals service, when one runs. */
  approvals(): ApprovalsService | undefined;
  /** Scrubs the secrets the kernel knows out of text (ctx.redact). */
  redact(text: string): string;
  warn(message: string): void;
  /** Aleph's environment, the source of inherited variables (default process.env). */
  processEnv?: Readonly<Record<string, string | undefined>>;
  /** Between SIGTERM and SIGKILL (default 2 s). */
  killGraceMs?: number;
}

/** What the model gets back. */
export interface ShellResult {
  /** null when a signal ended the command. */
  exit_code: number | null;
  signal?: string;
  timed_out: boolean;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface ShellTool {
  call(args: ShellArgs, context: ToolCallContext): Promise<ShellResult>;
}

export function createShellTool(options: ShellToolOptions): ShellTool {
  const approved = new ApprovedCommands(options.approvedFile, options.warn);
  const auditor = createShellAuditor(options.root, options.actor, options.redact);
  const warnedWithheld = new Set<string>();

  /** Lets the command through, or throws ALEPH_E_DENIED; either way the decision is audited. */
  async function authorize(call: ShellAuditCommon, cwd: WorkingDir, config: ShellConfig, context: ToolCallContext): Promise<void> {
    const { command, agent } = call;
    const { mode, allow } = approvalRulesFor(config, agent);
    const rule = await runsWithoutAsking({ mode, allow, command, isRemembered: () => approved.has(agent, command) });
    if (rule !== undefined) {
      auditor.approval({ ...call, mode, asked: false, decision: "allowed", by: rule.rule === "remembered" ? "remembered" : "config", rule: describeRule(rule) });
      return;
    }

    const service = options.approvals();
    const askedAt = performance.now();
    let decision: ApprovalDecision;
    if (service === undefined) {
      decision = { approved: false, reason: NO_APPROVALS_SERVICE, by: options.actor };
    } else {
      try {
        decision = await service.request(
          { tool: "shell", args: { command, cwd: cwd.real }, summary: `run \`${command}\` in ${cwd.real}`, always: `remember \`${command}\` for agent ${agent}` },
          context,
        );
      } catch (error) {
        // The contract says request() never throws for a no; a failing service is a no all the same.
        decision = { approved: false, reason: `the approvals service failed: ${errorMessage(error)}`, by: "approvals" };
      }
    }
    auditor.approval({
      ...call,
      mode,
      asked: service !== undefined,
      decision: decision.approved ? (decision.always ? "always" : "approved") : "denied",
      by: decision.by,
      reason: decision.approved ? undefined : decision.reason,
      waitedMs: Math.round(performance.now() - askedAt),
    });
    if (!decision.approved) throw denialError({ command, agent, mode, allow, reason: decision.reason, by: decision.by });
    if (decision.always) {
      // The yes stands for this call even when it cannot be remembered: the person gave it.
      await approved.remember(agent, command).catch((error: unknown) => options.warn(errorMessage(error)));
    }
  }

  function commandEnv(config: ShellConfig): Record<string, string> {
    const { env, withheld } = buildCommandEnv({
      source: options.processEnv ?? process.env,
      passEnv: config.pass_env,
      env: config.env,
      holdsSecret: (value) => options.redact(value) !== value,
    });
    for (const name of withheld) {
      if (warnedWithheld.has(name)) continue;
      warnedWithheld.add(name);
      options.warn(`the variable ${name} is not passed to shell commands: its value holds a secret Aleph knows (a vault value or a credential from the config)`);
    }
    return env;
  }

  return {
    async call(args, context) {
      const started = performance.now();
      const call: ShellAuditCommon = { command: args.command, agent: context.agentId ?? "main", session: context.sessionKey };
      let run: RunCommandResult;
      try {
        const config = options.config();
        checkCommand(args.command);
        const timeoutSeconds = timeoutFor(args, config);
        const workspace = options.workspaceOf(call.agent);
        if (workspace === undefined) {
          throw new AlephError("ALEPH_E_NOT_FOUND", `agent "${call.agent}" is not declared, so it has no workspace to run shell commands in`, { fix: "declare it in [[agents]] of config.toml" });
        }
        const cwd = await resolveWorkingDir(workspace, args.cwd);
        call.cwd = cwd.real;
        await authorize(call, cwd, config, context);
        if (context.signal?.aborted) throw cancelledError();
        run = await runCommand({
          command: args.command,
          cwd: cwd.real,
          env: commandEnv(config),
          timeoutMs: timeoutSeconds * 1000,
          maxOutputBytes: config.max_output_bytes,
          signal: context.signal,
          ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
        });
      } catch (error) {
        auditor.call({ ...call, ok: false, error: errorText(error), ms: Math.round(performance.now() - started) });
        throw error;
      }

      const ok = run.exitCode === 0 && !run.timedOut && !run.cancelled;
      auditor.call({
        ...call,
        ok,
        ...(ok ? {} : { error: howItEnded(run) }),
        exitCode: run.exitCode,
        signal: run.signal,
        timedOut: run.timedOut,
        cancelled: run.cancelled,
        truncated: run.truncated,
        ms: run.ms,
      });
      if (run.cancelled) throw cancelledError();
      return {
        exit_code: run.exitCode,
        ...(run.signal !== null ? { signal: run.signal } : {}),
        timed_out: run.timedOut,
        stdout: options.redact(run.stdout),
        stderr: options.redact(run.stderr),
        truncated: run.truncated,
      };
    },
  };
}

function checkCommand(command: string): void {
  if (command.trim() === "") throw new AlephError("ALEPH_E_TOOL_ARGS", "the command is empty", { fix: "give the command line to run" });
  if (command.includes("\0")) throw new AlephError("ALEPH_E_TOOL_ARGS", "the command contains a NUL byte, which no shell command can", { fix: "remove the NUL byte" });
}

function timeoutFor(args: ShellArgs, config: ShellConfig): number {
  if (args.timeout_seconds === undefined) return config.timeout_seconds;
  if (args.timeout_seconds > config.timeout_seconds) {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `timeout_seconds is at most ${config.timeout_seconds} (the configured [tools.shell] timeout_seconds); ${args.timeout_seconds} was asked`, {
      fix: `ask for ${config.timeout_seconds} seconds or less, or leave timeout_seconds out`,
    });
  }
  return args.timeout_seconds;
}

const cancelledError = () => new AlephError("ALEPH_E_CANCELLED", "the shell command was stopped: the turn was cancelled");

function howItEnded(run: RunCommandResult): string {
  if (run.cancelled) return "cancelled";
  if (run.timedOut) return `timed out after ${run.ms} ms${run.signal ? ` (${run.signal})` : ""}`;
  if (run.signal !== null) return `ended by ${run.signal}`;
  return `exit code ${run.exitCode}`;
}

/** An error as one line for the audit log: its code and message. */
function errorText(error: unknown): string {
  return isAlephError(error) ? `${error.code}: ${error.message}` : errorMessage(error);
}
