import { audit, type AuditRecord } from "@aleph/plugin-sdk";

/*
 * The shell's lines in the audit log (`<root>/audit/<day>.jsonl`), two kinds:
 *   shell.approval — how the call was let through or stopped: the mode, whether a person was asked,
 *                    the decision and who made it (written before the command starts);
 *   shell.call     — every call, once, at its end: ran or not, exit code, signal, time.
 * The command is the record's target, scrubbed of known secrets; so is every error text.
 */

/** Characters of a command kept in a record; a longer one is cut with a marker. */
export const MAX_AUDITED_COMMAND_CHARS = 4000;

export interface ShellAuditCommon {
  command: string;
  agent: string;
  session?: string | undefined;
  /** The real folder it ran (or would have run) in, when known. */
  cwd?: string | undefined;
}

export interface ApprovalAuditEntry extends ShellAuditCommon {
  mode: string;
  asked: boolean;
  /** allowed: by config or a remembered answer; approved / always / denied: a person's (or the service's) answer. */
  decision: "allowed" | "approved" | "always" | "denied";
  /** Who decided: "config", "remembered", the answering person, the approvals service, or "shell". */
  by: string;
  /** The rule that let it run without asking ("never", "allow: git status", "remembered"). */
  rule?: string | undefined;
  reason?: string | undefined;
  waitedMs?: number | undefined;
}

export interface CallAuditEntry extends ShellAuditCommon {
  ok: boolean;
  error?: string | undefined;
  exitCode?: number | null | undefined;
  signal?: string | null | undefined;
  timedOut?: boolean | undefined;
  cancelled?: boolean | undefined;
  truncated?: boolean | undefined;
  ms: number;
}

export interface ShellAuditor {
  approval(entry: ApprovalAuditEntry): void;
  call(entry: CallAuditEntry): void;
}

/** Writes the records under `root` as `actor` (never throws: see the SDK's audit()). */
export function createShellAuditor(root: string, actor: string, redact: (text: string) => string): ShellAuditor {
  const base = (action: string, entry: ShellAuditCommon, ok: boolean, error: string | undefined): Omit<AuditRecord, "ts"> & Record<string, unknown> => ({
    actor,
    action,
    target: clip(redact(entry.command)),
    ok,
    ...(error !== undefined ? { error: redact(error) } : {}),
    agent: entry.agent,
    ...(entry.session !== undefined ? { session: entry.session } : {}),
    ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
  });
  // The SDK's record plus the shell's own fields, which ride along in the JSON line.
  const write = (record: Omit<AuditRecord, "ts"> & Record<string, unknown>) => audit(root, record);
  return {
    approval(entry) {
      const ok = entry.decision !== "denied";
      write({
        ...base("shell.approval", entry, ok, ok ? undefined : entry.reason),
        mode: entry.mode,
        asked: entry.asked,
        decision: entry.decision,
        by: entry.by,
        ...(entry.rule !== undefined ? { rule: redact(entry.rule) } : {}),
        ...(entry.waitedMs !== undefined ? { waited_ms: entry.waitedMs } : {}),
      });
    },
    call(entry) {
      write({
        ...base("shell.call", entry, entry.ok, entry.error),
        ...(entry.exitCode !== undefined ? { exit_code: entry.exitCode } : {}),
        ...(entry.signal ? { signal: entry.signal } : {}),
        ...(entry.timedOut !== undefined ? { timed_out: entry.timedOut } : {}),
        ...(entry.cancelled ? { cancelled: true } : {}),
        ...(entry.truncated !== undefined ? { truncated: entry.truncated } : {}),
        ms: entry.ms,
      });
    },
  };
}

function clip(text: string): string {
  return text.length <= MAX_AUDITED_COMMAND_CHARS ? text : `${text.slice(0, MAX_AUDITED_COMMAND_CHARS)}[… ${text.length - MAX_AUDITED_COMMAND_CHARS} more characters]`;
}
