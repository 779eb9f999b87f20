import { existsSync, readFileSync } from "node:fs";
import { workspaceRef, type CommandInput, type ServiceCaller, type WorkspaceService } from "@aleph/plugin-sdk";
import { validateAgentId } from "../agents/agent-id.js";

/*
 * What the `aleph agents …` handlers share. The id is checked here first (the service's own rule),
 * so `aleph agents add ../x` fails before any kernel starts or any file is touched.
 */

/** The `<id>` argument, checked (ALEPH_E_INVALID_ID saying what is wrong). */
export function agentIdArg(cmd: CommandInput): string {
  return validateAgentId(cmd.args.id);
}

/** The workspace service of the kernel the command runs against. */
export function workspaceOf(cmd: CommandInput): ServiceCaller<WorkspaceService> {
  return cmd.kernel.service(workspaceRef);
}

/** config.toml's text, or "" when there is none yet. */
export function configText(cmd: CommandInput): string {
  return existsSync(cmd.paths.configFile) ? readFileSync(cmd.paths.configFile, "utf8") : "";
}

/** The audit entry of a command's change to the agents (written by `audited`, whatever the outcome). */
export function auditEntry(action: string, target: string): { actor: string; action: string; target: string } {
  return { actor: "cli", action, target };
}
