import { renderEntry } from "./frontmatter.js";
import { renderSection } from "./sections.js";
import type { IdentityResolution } from "./types.js";

/**
 * The resolved soul as Markdown for the system prompt: the frontmatter block, then the sections
 * in the resolution's order, each part one blank line from the next, LF line ends, one final
 * newline. The same
 * resolution always gives the same bytes. Cleared values are left out: a key whose value is
 * null and a section with an empty body. Without any key there is no frontmatter block; the
 * output reads back through parseSoul to the same keys and sections.
 */
export function renderSoul(resolution: Pick<IdentityResolution, "frontmatter" | "sections">): string {
  const parts: string[] = [];
  const entries = Object.entries(resolution.frontmatter).filter(([, resolved]) => resolved.value !== null);
  if (entries.length > 0) parts.push(["---", ...entries.map(([key, resolved]) => renderEntry(key, resolved.value)), "---"].join("\n"));
  for (const section of resolution.sections) if (section.body !== "") parts.push(renderSection(section));
  // A preamble that starts with a --- line would read back as frontmatter: an empty one first.
  if (entries.length === 0 && /^---[ \t]*(\n|$)/.test(parts[0] ?? "")) parts.unshift("---\n---");
  return parts.length === 0 ? "" : `${parts.join("\n\n")}\n`;
}
