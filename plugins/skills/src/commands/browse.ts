import { json, plural, printable, table, type CommandInput } from "@aleph/plugin-sdk";
import { agentOption, argument, issueLine, skillsOf } from "./support.js";

/* `aleph skills list|show`. */

export async function listCommand(cmd: CommandInput): Promise<number> {
  const skills = skillsOf(cmd);
  const agentId = agentOption(cmd);
  const [list, stats] = await Promise.all([skills.list(agentId), skills.stats()]);
  if (cmd.options.json === true) {
    cmd.out(json({ agent: agentId, path: stats.path, skills: list }));
    return 0;
  }
  if (list.length === 0) cmd.out(`No skills for ${agentId}. Create one: aleph skills new <name>\n`);
  else {
    const rows = [["NAME", "STATUS", "SOURCE", "DESCRIPTION OR WHY"]];
    for (const s of list) {
      const source = s.source === "plugin" ? `plugin:${s.plugin}` : s.source;
      const what = s.status === "available" ? s.description : s.reasons.join("; ");
      rows.push([printable(s.name) + (s.userInvocable ? " (/)" : ""), s.status, source, printable(what.replace(/\s+/g, " ")).slice(0, 160)]);
    }
    cmd.out(table(rows));
    const counts = ["available", "unavailable", "invalid", "shadowed"].map((status) => `${list.filter((s) => s.status === status).length} ${status}`);
    cmd.out(`\n${plural(list.length, "skill copy").replace("copys", "copies")} for ${agentId}: ${counts.join(", ")}. (/) : a user can run it as /<name>.\n`);
  }
  cmd.out(`Programs were looked up on PATH=${stats.path}\n`);
  return 0;
}

export async function showCommand(cmd: CommandInput): Promise<number> {
  const detail = await skillsOf(cmd).get(argument(cmd, "name"), { agentId: agentOption(cmd) });
  if (cmd.options.json === true) {
    cmd.out(json(detail));
    return 0;
  }
  const lines = [
    `${detail.name} (${detail.status}, ${detail.source === "plugin" ? `plugin ${detail.plugin}` : detail.source})`,
    `  file:        ${detail.file}`,
    `  description: ${printable(detail.description)}`,
  ];
  if (detail.reasons.length) lines.push(`  why:         ${detail.reasons.join("; ")}`);
  if (detail.userInvocable) lines.push(`  invoke:      /${detail.name}`);
  if (detail.license) lines.push(`  license:     ${printable(detail.license)}`);
  if (detail.compatibility) lines.push(`  compatibility: ${printable(detail.compatibility)}`);
  if (detail.allowedTools.length) lines.push(`  allowed-tools (recorded, not enforced): ${detail.allowedTools.join(" ")}`);
  if (detail.requires) {
    const r = detail.requires;
    const parts = [r.bins.length && `bins ${r.bins.join(", ")}`, r.anyBins.length && `any of ${r.anyBins.join(", ")}`, r.env.length && `env ${r.env.join(", ")}`, r.config.length && `config ${r.config.join(", ")}`, r.os.length && `os ${r.os.join(", ")}`].filter(Boolean);
    if (parts.length) lines.push(`  requires:    ${parts.join("; ")}`);
  }
  for (const [key, value] of Object.entries(detail.metadata)) lines.push(`  metadata.${key}: ${printable(value)}`);
  if (detail.files.length) lines.push(`  files:       ${detail.files.join(", ")}`);
  cmd.out(`${lines.join("\n")}\n`);
  for (const w of detail.warnings) cmd.err(issueLine(w, "warning"));
  cmd.out(`\n${detail.body.trim()}\n`);
  return 0;
}
