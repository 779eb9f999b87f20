import type { SoulSection } from "./types.js";

/**
 * Splits a soul body into sections at ATX headings (`#` … `######`, CommonMark rules: up to three
 * spaces of indentation, a space or the end of the line after the hashes, an optional closing
 * run of `#`). Lines inside fenced code blocks (``` or ~~~) are never headings; an unclosed
 * fence runs to the end of the body, as in CommonMark. Setext headings (text underlined with
 * === or ---) are body text: the seed's soul files use ATX headings only, and a `---` line
 * under a paragraph is more often meant as a rule than as a heading.
 *
 * Every heading starts a section, whatever its level: the seed's `# Identity` and
 * `## Directives` are siblings, not parent and child, so a `### Examples` is its own section too
 * and layers on its own.
 */

const HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

interface Fence {
  char: string;
  length: number;
}

function opensFence(text: string): Fence | undefined {
  const open = FENCE_OPEN.exec(text);
  if (!open) return undefined;
  // A backtick fence's info string cannot hold a backtick (CommonMark), else it is inline code.
  if (open[1]![0] === "`" && open[2]!.includes("`")) return undefined;
  return { char: open[1]![0]!, length: open[1]!.length };
}

function closesFence(text: string, fence: Fence): boolean {
  const close = FENCE_CLOSE.exec(text);
  return close !== null && close[1]![0] === fence.char && close[1]!.length >= fence.length;
}

/** The closing line a fence still open after `lines` needs, if one is. */
function openFenceAtEnd(lines: readonly string[]): string | undefined {
  let fence: Fence | undefined;
  for (const text of lines) {
    if (fence) {
      if (closesFence(text, fence)) fence = undefined;
    } else fence = opensFence(text);
  }
  return fence ? fence.char.repeat(fence.length) : undefined;
}

function headingTitle(rest: string): string {
  return rest.replace(/(?:^|[ \t]+)#+[ \t]*$/, "").trim();
}

/** Drops leading and trailing blank lines, keeping the indentation of the text between. */
function trimBlankLines(lines: readonly string[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end).join("\n");
}

/**
 * The sections of a body, in order. `firstLine` is the file line of `lines[0]`. The preamble
 * (text before the first heading) is a section with level 0 and title "" when it holds text.
 */
export function splitSections(lines: readonly string[], firstLine: number): SoulSection[] {
  const sections: SoulSection[] = [];
  let current: { title: string; level: number; line: number; lines: string[] } = { title: "", level: 0, line: 0, lines: [] };
  const flush = () => {
    const body = trimBlankLines(current.lines);
    if (current.level === 0) {
      if (body === "") return; // blank text before the first heading is not a preamble
      const offset = current.lines.findIndex((l) => l.trim() !== "");
      current.line = firstLine + offset;
    }
    sections.push({ title: current.title, level: current.level, body, line: current.line });
  };
  let fence: Fence | undefined;
  lines.forEach((text, i) => {
    if (fence) {
      if (closesFence(text, fence)) fence = undefined;
      current.lines.push(text);
      return;
    }
    fence = opensFence(text);
    if (fence) {
      current.lines.push(text);
      return;
    }
    const heading = HEADING.exec(text);
    if (!heading) {
      current.lines.push(text);
      return;
    }
    flush();
    current = { title: headingTitle(heading[2]!), level: heading[1]!.length, line: firstLine + i, lines: [] };
  });
  flush();
  return sections;
}

/**
 * The identity of a section across layers: its heading text, trimmed, with runs of whitespace
 * collapsed, Unicode-normalised and case-folded; the level does not count. `## directives` in a
 * project file replaces `# Directives` from soul.md: people re-type headings without checking
 * the case or the number of hashes of the file they override, and two sections that read the
 * same to a person should not both reach the prompt. The preamble's key is "", a heading's
 * starts with "#", so even an empty heading never collides with the preamble.
 */
export function sectionKey(section: Pick<SoulSection, "title" | "level">): string {
  if (section.level === 0) return "";
  return `#${section.title.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase()}`;
}

/**
 * Folds sections with the same key within one file into the first: their bodies are joined in
 * file order, as a reader of the file sees them, and the first heading's line is the source.
 */
export function mergeDuplicateSections(sections: readonly SoulSection[]): SoulSection[] {
  const byKey = new Map<string, SoulSection>();
  for (const section of sections) {
    const key = sectionKey(section);
    const first = byKey.get(key);
    if (!first) byKey.set(key, { ...section });
    else if (section.body !== "") first.body = first.body === "" ? section.body : `${first.body}\n\n${section.body}`;
  }
  return [...byKey.values()];
}

/**
 * A section as Markdown: its heading as written (none for the preamble), then its body. A code
 * fence left open at the end of a file ran to the end of that file; here other layers' sections
 * follow, so it is closed to keep them out of the code block.
 */
export function renderSection(section: Pick<SoulSection, "title" | "level" | "body">): string {
  const fence = openFenceAtEnd(section.body.split("\n"));
  const body = fence ? `${section.body}\n${fence}` : section.body;
  if (section.level === 0) return body;
  const heading = section.title === "" ? "#".repeat(section.level) : `${"#".repeat(section.level)} ${section.title}`;
  return body === "" ? heading : `${heading}\n${body}`;
}
