import { resolve } from "node:path";
import type { CommandInput } from "@aleph/plugin-sdk/core";
import { readFile } from "node:fs/promises";

/** `aleph protocols validate <file>`: checked here (no kernel needed), the way the plugin checks protocols/*.yaml. */
export async function protocolsValidate(cmd: CommandInput): Promise<number> {
  const file = resolve(cmd.cwd, String(cmd.args.file));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    cmd.err(`aleph: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 1;
  }
  const { parseProtocolFile } = await import("../protocols/protocol-file.js");
  const parsed = await parseProtocolFile(text, file);
  if (parsed.ok) {
    cmd.out(`ok: ${file} defines protocol "${parsed.protocol.name}" (extends ${parsed.protocol.extends})\n`);
    return 0;
  }
  for (const issue of parsed.issues) cmd.err(`${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.field ? `${issue.field}: ` : ""}${issue.message}\n`);
  return 1;
}
