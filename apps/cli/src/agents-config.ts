import { parseToml } from "@aleph/kernel";

/*
 * Edits the [[agents]] tables of config.toml, a file the user writes: additions are appended
 * (everything else stays byte for byte), and a removal cuts exactly the one table that declares
 * the agent — its header up to the next table header — leaving every other line alone.
 */

/** The ids declared by [[agents]] tables, or undefined when there are none (the default `main` applies). */
export function declaredAgents(text: string, file: string): string[] | undefined {
  const parsed = parseToml(text, file);
  if (!parsed.ok) throw new Error(`${file}${parsed.issue.line ? `:${parsed.issue.line}` : ""}: ${parsed.issue.message}`);
  const agents = parsed.value.agents;
  if (agents === undefined) return undefined;
  if (!Array.isArray(agents)) throw new Error(`${file}: "agents" must be [[agents]] tables`);
  return agents.map((a) => String((a as { id?: unknown }).id));
}

function agentTable(id: string, preset?: string): string {
  return `\n[[agents]]\nid = ${JSON.stringify(id)}\n${preset ? `preset = ${JSON.stringify(preset)}\n` : ""}`;
}

/** Appends an agent. When config.toml declares none yet, `main` is declared first so it stays. */
export function appendAgent(text: string, file: string, id: string, preset?: string): string {
  const declared = declaredAgents(text, file);
  const base = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
  return base + (declared === undefined && id !== "main" ? agentTable("main") : "") + agentTable(id, preset);
}

/** Removes the [[agents]] table that declares `id`; undefined when no table does. */
export function removeAgent(text: string, id: string): string | undefined {
  const lines = text.split("\n");
  const isHeader = (line: string) => /^\s*\[/.test(line);
  for (let start = 0; start < lines.length; start++) {
    if (!/^\s*\[\[\s*agents\s*\]\]\s*(#.*)?$/.test(lines[start]!)) continue;
    let end = start + 1;
    while (end < lines.length && !isHeader(lines[end]!)) end++;
    // Trailing blank lines separate it from the next table: they stay.
    while (end > start + 1 && lines[end - 1]!.trim() === "") end--;
    const declaresIt = lines.slice(start + 1, end).some((line) => {
      const m = /^\s*id\s*=\s*(".*"|'.*')\s*(#.*)?$/.exec(line);
      if (!m) return false;
      try {
        return (m[1]!.startsWith("'") ? m[1]!.slice(1, -1) : JSON.parse(m[1]!)) === id;
      } catch {
        return false;
      }
    });
    if (!declaresIt) continue;
    // Take the blank line before the table too, so repeated add/remove leaves no trail.
    const from = start > 0 && lines[start - 1]!.trim() === "" ? start - 1 : start;
    return [...lines.slice(0, from), ...lines.slice(end)].join("\n");
  }
  return undefined;
}
