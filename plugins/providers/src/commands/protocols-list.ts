import { json, protocolsRef, table, type CommandInput } from "@aleph/plugin-sdk/core";

/** `aleph protocols list [--json]`: built-ins, custom files, and the errors of the invalid ones. */
export async function protocolsList(cmd: CommandInput): Promise<number> {
  const list = await cmd.kernel.service(protocolsRef).list();
  if (cmd.options.json === true) {
    cmd.out(json(list));
    return 0;
  }
  const rows = list.map((p) => [p.name, p.error ? "-" : p.base, p.source, p.error ? `invalid: ${p.error.line ? `line ${p.error.line}: ` : ""}${p.error.field ? `${p.error.field}: ` : ""}${p.error.message}` : ""]);
  cmd.out(table([["NAME", "EXTENDS", "SOURCE", ""], ...rows]));
  return 0;
}
