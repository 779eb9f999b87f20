import { resolve } from "node:path";
import { protocolsRef, type CommandInput } from "@aleph/plugin-sdk/core";

/**
 * `aleph protocols validate <file>`: the path is resolved here, against the caller's directory,
 * and checked by the `protocols` service, the way the plugin checks protocols/*.yaml.
 */
export async function protocolsValidate(cmd: CommandInput): Promise<number> {
  const result = await cmd.kernel.service(protocolsRef).validate(resolve(cmd.cwd, String(cmd.args.file)));
  if (result.protocol) {
    cmd.out(`ok: ${result.file} defines protocol "${result.protocol.name}" (extends ${result.protocol.base})\n`);
    return 0;
  }
  for (const issue of result.issues) cmd.err(`${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.field ? `${issue.field}: ` : ""}${issue.message}\n`);
  return 1;
}
