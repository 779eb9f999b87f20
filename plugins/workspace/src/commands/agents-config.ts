import { AlephError } from "@aleph/plugin-sdk";

/*
 * Edits the [[agents]] tables of config.toml, a file the user writes: additions are appended
 * (everything else stays byte for byte), and a removal cuts exactly the one table that declares
 * the agent — its header up to the next table header — leaving every other line alone.
 *
 * It works on lines, not on a parsed document (a plugin has no TOML parser of its own): the
 * command asks the kernel, which parses and validates the file, for the declared agents first, so
 * what is left is to find the `[[agents]]` headers, which in valid TOML start their own line.
 */

const AGENTS_HEADER = /^\s*\[\[\s*agents\s*\]\]\s*(#.*)?$/;
/** `agents = [...]`: agents declared as one inline array, to which no table can be appended. */
const INLINE_AGENTS = /^\s*agents\s*=/;
const TABLE_HEADER = /^\s*\[/;

/** Whether the text declares agents with [[agents]] tables (none: the default `main` applies). */
export function hasAgentTables(text: string, file: string): boolean {
  const lines = text.split("\n");
  // A top-level key comes before the first table header.
  const firstHeader = lines.findIndex((line) => TABLE_HEADER.test(line));
  if (lines.slice(0, firstHeader < 0 ? lines.length : firstHeader).some((line) => INLINE_AGENTS.test(line))) {
    throw new AlephError("ALEPH_E_CONFIG", `${file} declares agents as an inline array (agents = [...]), to which no [[agents]] table can be added`, {
      file,
      fix: "write each agent as its own [[agents]] table (id = \"…\"), then run the command again",
    });
  }
  return lines.some((line) => AGENTS_HEADER.test(line));
}

function agentTable(id: string, preset?: string): string {
  return `\n[[agents]]\nid = ${JSON.stringify(id)}\n${preset ? `preset = ${JSON.stringify(preset)}\n` : ""}`;
}

/** Appends an agent. When config.toml declares none yet, `main` is declared first so it stays. */
export function appendAgent(text: string, file: string, id: string, preset?: string): string {
  const base = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
  return base + (!hasAgentTables(text, file) && id !== "main" ? agentTable("main") : "") + agentTable(id, preset);
}

/** Removes the [[agents]] table that declares `id`; undefined when no table does. */
export function removeAgent(text: string, id: string): string | undefined {
  const lines = text.split("\n");
  for (let start = 0; start < lines.length; start++) {
    if (!AGENTS_HEADER.test(lines[start]!)) continue;
    let end = start + 1;
    while (end < lines.length && !TABLE_HEADER.test(lines[end]!)) end++;
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
