import { existsSync, readFileSync } from "node:fs";
import { AlephError, workspaceRef, type CommandInput, type ServiceCaller, type WorkspaceService } from "@aleph/plugin-sdk";
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

/**
 * Makes the kernel read config.toml now, and refuses to go on when it does not load: an edit
 * appended to a broken file would only bury the problem (the kernel keeps the last good config).
 */
export async function reloadLoadableConfig(cmd: CommandInput): Promise<void> {
  const result = await cmd.kernel.reloadConfig();
  const first = result.issues[0];
  if (!first) return;
  throw new AlephError("ALEPH_E_CONFIG", `config.toml does not load, so it is left as it is: ${result.issues.map((i) => `${i.path ? `${i.path}: ` : ""}${i.message}`).join("; ")}`, {
    file: first.file,
    ...(first.line ? { line: first.line } : {}),
    fix: "correct it (`aleph config check` names each problem), then run the command again",
  });
}
