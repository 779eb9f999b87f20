/*
 * Fenced blocks both ways: wrapping text that may itself hold code blocks (a SKILL.md, a
 * transcript), and finding the SKILL.md in a model's answer, which often wraps a file full of
 * ``` blocks in a ``` block of its own.
 */

/** A backtick fence longer than any run of backticks in `text` (at least three), so the text cannot close it. */
export function fenceFor(text: string, min = 3): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(min, longest + 1));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$/;

interface FenceLine {
  index: number;
  char: string;
  length: number;
  /** The info string's first word, lower case ("" for a bare fence). */
  info: string;
}

function fenceLine(line: string, index: number): FenceLine | undefined {
  const m = FENCE.exec(line);
  if (!m) return undefined;
  return { index, char: m[1]![0]!, length: m[1]!.length, info: m[2]!.toLowerCase() };
}

/** The fenced blocks of `text` whose info string is one of `infos` ("" for none), in order. */
export function fencedBlocks(text: string, infos: readonly string[]): { info: string; content: string }[] {
  const lines = text.split(/\r?\n/);
  const blocks: { info: string; content: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fenceLine(lines[i]!, i);
    if (!open) continue;
    const end = closingLine(lines, open);
    if (infos.includes(open.info)) blocks.push({ info: open.info, content: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** Whether the block opened by `open` wraps a Markdown file (it may then hold code blocks of its own). */
function wrapsFile(lines: string[], open: FenceLine): boolean {
  if (open.info === "markdown" || open.info === "md") return true;
  if (open.info !== "") return false;
  const first = lines.slice(open.index + 1).find((l) => l.trim() !== "");
  return first?.trimEnd() === "---";
}

/**
 * Where the block opened by `open` ends (lines.length when never closed). CommonMark's rule (the
 * first bare fence at least as long) holds for a code block, and for a fence longer than three,
 * chosen to hold shorter ones. A three-backtick fence round a Markdown file with code blocks is
 * ambiguous; read the way models write: a fence with an info string (```bash) opens an inner block
 * and the next bare fence closes that, and of the bare fences left the last closes the block
 * (inner blocks opened bare come in pairs before it; prose after the block seldom holds a bare one).
 */
function closingLine(lines: string[], open: FenceLine): number {
  const closes = (f: FenceLine | undefined): f is FenceLine => f !== undefined && f.char === open.char && f.length >= open.length && f.info === "";
  if (open.length > 3 || open.char !== "`" || !wrapsFile(lines, open)) {
    for (let i = open.index + 1; i < lines.length; i++) if (closes(fenceLine(lines[i]!, i))) return i;
    return lines.length;
  }
  let inner = false;
  let last = lines.length;
  for (let i = open.index + 1; i < lines.length; i++) {
    const f = fenceLine(lines[i]!, i);
    if (!f || f.char !== open.char) continue;
    if (f.info !== "") inner = true;
    else if (inner) inner = false;
    else if (closes(f)) last = i;
  }
  return last;
}
