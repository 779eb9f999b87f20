import { json, table, type CommandInput } from "@aleph/plugin-sdk";
import { agentIdArg, workspaceOf } from "./command-support.js";

/** `aleph agents context <id> [--json]`: what the agent's system prompt would be given. */
export async function agentsContextCommand(cmd: CommandInput): Promise<number> {
  const id = agentIdArg(cmd);
  const context = await workspaceOf(cmd).bootstrap(id);
  if (cmd.options.json === true) {
    cmd.out(json(context));
    return 0;
  }
  cmd.out(`Agent "${id}" (${context.preset}) · ${context.workspaceDir}\n`);
  cmd.out(table([["FILE", "STATUS", "CHARS", "OF", ""], ...context.files.map((f) => [f.name, f.status, String(f.chars), String(f.originalChars), f.required ? "required" : ""])]));
  const t = context.totals;
  cmd.out(`${t.chars} of ${context.limits.totalChars} characters (per file at most ${context.limits.perFileChars}); ${t.loaded} loaded, ${t.truncated} truncated, ${t.empty} empty, ${t.missing} missing\n`);
  if (context.missingRequired.length > 0) cmd.out(`missing required: ${context.missingRequired.join(", ")} (run \`aleph agents add ${id}\` to seed them)\n`);
  return 0;
}
