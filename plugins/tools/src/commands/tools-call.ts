import { CommandUsageError, json, toolsRef, type CommandInput } from "@aleph/plugin-sdk";

/** `aleph tools call <name> [<json-args>]`: the arguments are checked as JSON here, against the tool's schema by the registry. */
export async function toolsCall(cmd: CommandInput): Promise<number> {
  const name = String(cmd.args.name);
  const raw = typeof cmd.args["json-args"] === "string" ? cmd.args["json-args"] : "{}";
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch (error) {
    throw new CommandUsageError(`the arguments are not JSON (${(error as Error).message}); quote them: '{"text":"hello"}'`);
  }
  const result = await cmd.kernel.service(toolsRef).call(name, args);
  cmd.out(json(result ?? null));
  return 0;
}
