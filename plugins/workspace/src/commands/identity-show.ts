import { identityRef, json, type CommandInput } from "@aleph/plugin-sdk";

/** `aleph identity show [--agent id] [--explain] [--json]`: the soul as resolved from the command's working directory. */
export async function identityShowCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const identity = cmd.kernel.service(identityRef);
  const query = { agentId: typeof options.agent === "string" ? options.agent : "main", cwd: cmd.cwd };
  if (options.json !== true && options.explain !== true) {
    out(await identity.render(query));
    return 0;
  }
  const resolution = await identity.resolve(query);
  if (options.json === true) {
    out(json(resolution));
    return 0;
  }
  const where = (s: { layer: string; path: string; line: number }) => `${s.layer} ${s.path}:${s.line}`;
  out("Keys\n");
  for (const [key, v] of Object.entries(resolution.frontmatter)) out(`  ${key} = ${JSON.stringify(v.value)}  ← ${where(v.source)}\n`);
  out("Sections\n");
  for (const s of resolution.sections) out(`  ${s.title === "" ? "(preamble)" : `${"#".repeat(s.level)} ${s.title}`}  ← ${where(s.source)}\n`);
  out("Layers\n");
  for (const l of resolution.layers) out(`  ${l.layer.padEnd(8)} ${l.present ? "present" : "absent "} ${l.path}${l.error ? `  ✗ ${l.error.code}: ${l.error.message}` : ""}\n`);
  return 0;
}
