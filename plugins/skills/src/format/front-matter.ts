/*
 * Splitting a SKILL.md into its YAML front-matter and its Markdown body. The Agent Skills format
 * puts the front-matter first, between two `---` lines; anything else is not a skill file.
 */

export interface FrontMatterSplit {
  /** The YAML between the fences. */
  yaml: string;
  /** 1-based line of the YAML's first line in the file. */
  yamlLine: number;
  body: string;
  /** 1-based line of the body's first line. */
  bodyLine: number;
}

/** Splits `text`, or says why it has no front-matter (and on which line). */
export function splitFrontMatter(text: string): FrontMatterSplit | { error: string; line: number } {
  // A byte-order mark is invisible in editors; it is no reason to refuse the file.
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = source.split(/\r?\n/);
  if (lines[0]?.trimEnd() !== "---") {
    return { error: 'no front-matter: a SKILL.md starts with a line "---", then name: and description:, then "---"', line: 1 };
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line === "---" || line === "...") {
      return { yaml: lines.slice(1, i).join("\n"), yamlLine: 2, body: lines.slice(i + 1).join("\n").replace(/^\n+/, ""), bodyLine: firstBodyLine(lines, i + 1) };
    }
  }
  return { error: 'the front-matter is never closed: end it with a line "---"', line: lines.length };
}

function firstBodyLine(lines: string[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  return i + 1;
}
