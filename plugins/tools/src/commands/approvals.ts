import { approvalsRef, json, table, type CommandInput, type PendingApproval } from "@aleph/plugin-sdk";

/*
 * `aleph approvals list|approve|deny`: the requests waiting in the running kernel (or in an
 * `aleph talk` conversation, which serves the root while it lasts). A kernel started just for the
 * command has none: requests live only as long as the turn that asked.
 */

const NO_KERNEL = "No kernel is running, so no approval request is waiting: requests live in a running kernel (`aleph start`) or an `aleph talk` conversation.\n";

const age = (iso: string) => `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago`;
const left = (iso: string) => `${Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000))} s`;

export async function approvalsList(cmd: CommandInput): Promise<number> {
  const pending = cmd.kernel.mode === "remote" ? await cmd.kernel.service(approvalsRef).list() : [];
  if (cmd.options.json) cmd.out(json(pending));
  else if (cmd.kernel.mode !== "remote") cmd.out(NO_KERNEL);
  else if (pending.length === 0) cmd.out("No approval request is waiting.\n");
  else cmd.out(table([["ID", "TOOL", "AGENT", "SESSION", "ASKED", "EXPIRES IN", "WHAT"], ...pending.map((p) => [p.id, p.tool, p.agentId, p.sessionKey, age(p.requestedAt), left(p.expiresAt), p.summary])]));
  return 0;
}

async function answer(cmd: CommandInput, verdict: "approve" | "deny" | "always"): Promise<number> {
  const id = String(cmd.args.id);
  if (cmd.kernel.mode !== "remote") {
    cmd.err(`aleph: ${NO_KERNEL}`);
    return 1;
  }
  const approval: PendingApproval = await cmd.kernel.service(approvalsRef).answer(id, verdict, "aleph approvals");
  const what = verdict === "deny" ? "Denied" : verdict === "always" ? `Approved, and remembered (${approval.always})` : "Approved";
  cmd.out(`${what}: ${approval.summary} (${approval.tool}, ${approval.sessionKey}).\n`);
  return 0;
}

export const approvalsApprove = (cmd: CommandInput) => answer(cmd, cmd.options.always === true ? "always" : "approve");
export const approvalsDeny = (cmd: CommandInput) => answer(cmd, "deny");
