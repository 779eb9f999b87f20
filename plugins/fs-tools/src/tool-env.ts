import { AlephError, audit, type AuditRecord, type ToolCallContext } from "@aleph/plugin-sdk";
import { PathGuard } from "./paths/guard.js";

/*
 * What every file tool needs from the plugin: the calling agent's guard (its workspace and the
 * granted roots, read from the current config on each call), the read cap, and the audit log.
 */

export interface FsToolsEnv {
  /** The guard for the agent calling (default main). */
  guardFor(context: ToolCallContext): PathGuard;
  maxReadBytes(): number;
  /** Appends a write or edit to the audit log (never throws). */
  audit(entry: FsAuditEntry): void;
}

/** One audited write or edit: the SDK's record, with who called and how much was written. */
export interface FsAuditEntry {
  tool: "write_file" | "edit_file";
  agent: string;
  session?: string | undefined;
  /** The real path written (or asked for, when it was refused). */
  path: string;
  /** Bytes of the file written; absent when nothing was. */
  bytes?: number;
  ok: boolean;
  error?: string;
}

export interface FsToolsEnvOptions {
  /** The state root (its audit/ folder takes the records). */
  root: string;
  /** The plugin's id: the actor of its audit records. */
  actor: string;
  /** The agent's workspace folder; undefined when the agent is not declared. */
  workspaceOf(agentId: string): string | undefined;
  roots(): readonly string[];
  maxReadBytes(): number;
}

export const callerAgent = (context: ToolCallContext): string => context.agentId ?? "main";

export function createFsToolsEnv(options: FsToolsEnvOptions): FsToolsEnv {
  return {
    guardFor(context) {
      const agent = callerAgent(context);
      const workspace = options.workspaceOf(agent);
      if (workspace === undefined) {
        throw new AlephError("ALEPH_E_NOT_FOUND", `agent "${agent}" is not declared, so it has no workspace for the file tools`, { fix: `declare it in [[agents]] of config.toml` });
      }
      return new PathGuard(workspace, options.roots());
    },
    maxReadBytes: options.maxReadBytes,
    audit(entry) {
      // The SDK's record (actor, action, target, ok, error) plus the fields a reader of a file
      // tool's record wants: agent, session, tool and bytes. Extra fields ride along in the JSON line.
      const record: Omit<AuditRecord, "ts"> & Record<string, unknown> = {
        actor: options.actor,
        action: `fs.${entry.tool}`,
        target: entry.path,
        ok: entry.ok,
        ...(entry.error !== undefined ? { error: entry.error } : {}),
        agent: entry.agent,
        ...(entry.session !== undefined ? { session: entry.session } : {}),
        tool: entry.tool,
        ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
      };
      audit(options.root, record);
    },
  };
}
